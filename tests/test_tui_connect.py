"""Start-up against the sandbox: the password modal, the offered choices, errors on screen."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Static
from tui_support import wait_for

from swiftui.paths import sandbox_default_dir
from swiftui.sandbox import Sandbox
from swiftui.tui.app import SwiftuiApp
from swiftui.tui.browsing.regions import BrowserScreen
from swiftui.tui.connect.screen import ConnectRequest, ConnectScreen, PasswordScreen
from swiftui.tui.widgets.table import ListingTable


def openrc_request(sandbox: Sandbox) -> ConnectRequest:
    return ConnectRequest("openrc", openrc=sandbox.openrc_path, environ={})


def status(app: SwiftuiApp) -> str:
    return str(app.screen.query_one("#connect-status", Static).content)


def regions_shown(app: SwiftuiApp) -> list[str]:
    if not isinstance(app.screen, BrowserScreen):
        return []
    return [
        key for table in app.screen.query("#regions").results(ListingTable) for key in table.keys
    ]


async def test_openrc_asks_the_password_in_a_masked_modal(sandbox: Sandbox) -> None:
    app = SwiftuiApp(openrc_request(sandbox), environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PasswordScreen), "the modal")
        assert app.screen.query_one(Input).password
        assert "Password for user swiftui-user (project swiftui-demo)" in str(
            app.screen.query_one("Label").content
        )
        await pilot.press(*sandbox.password, "enter")
        await wait_for(pilot, lambda: regions_shown(app) == ["GRA", "SBG"], "the regions")
        title = app.screen.query_one("#title-bar", Static).content
        assert title == "swiftui — swiftui-user @ swiftui-demo"


async def test_a_wrong_password_is_explained_and_can_be_retried(sandbox: Sandbox) -> None:
    app = SwiftuiApp(openrc_request(sandbox), environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PasswordScreen), "the modal")
        await pilot.press(*"not-the-password", "enter")
        await wait_for(pilot, lambda: "refused" in status(app), "the explanation")
        assert "refused user 'swiftui-user' for project 'swiftui-demo'" in status(app)
        assert "wrong password" in status(app)
        assert app.screen.query_one("#connect-status").has_class("error")

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PasswordScreen), "a new modal")
        await pilot.press(*sandbox.password, "enter")
        await wait_for(pilot, lambda: regions_shown(app) == ["GRA", "SBG"], "the regions")


async def test_escape_on_the_password_abandons_the_login(sandbox: Sandbox) -> None:
    app = SwiftuiApp(openrc_request(sandbox), environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PasswordScreen), "the modal")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "no password" in status(app), "the explanation")
        assert isinstance(app.screen, ConnectScreen)


async def test_an_unknown_region_names_the_valid_ones(sandbox: Sandbox) -> None:
    request = ConnectRequest(
        "openrc", openrc=sandbox.openrc_path, environ={"OS_PASSWORD": sandbox.password}
    )
    app = SwiftuiApp(request, region="GRA7", environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "GRA7" in status(app), "the explanation")
        assert "region 'GRA7' is not in the catalog (valid: GRA, SBG); did you mean GRA?" in (
            status(app)
        )


async def test_an_unreachable_keystone_is_explained(tmp_path: Path) -> None:
    openrc = tmp_path / "openrc.sh"
    openrc.write_text(
        "export OS_AUTH_URL=http://127.0.0.1:9/v3\nexport OS_USERNAME=u\n"
        "export OS_PROJECT_NAME=p\nexport OS_PASSWORD=secret\n"
    )
    app = SwiftuiApp(ConnectRequest("openrc", openrc=openrc, environ={}), environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "cannot reach" in status(app), "the explanation")
        assert "cannot reach 127.0.0.1:9: connection failed" in status(app)
        assert "secret" not in status(app)


async def test_the_connect_screen_offers_openrc_clouds_and_the_running_sandbox(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(sandbox.openrc_path, work / "demo-openrc.sh")
    monkeypatch.chdir(work)
    running = sandbox_default_dir()
    running.mkdir(parents=True)
    shutil.copy(sandbox.openrc_path, running / "openrc.sh")
    shutil.copy(sandbox.state_path, running / "state.json")
    (running / "sandbox.pid").write_text(f"{os.getpid()}\n")
    app = SwiftuiApp(environ={"OS_CLIENT_CONFIG_FILE": str(sandbox.clouds_yaml_path)})
    async with app.run_test(size=(100, 30)) as pilot:
        choices = app.screen.query_one("#choices", OptionList)
        await wait_for(pilot, lambda: choices.option_count == 3, "the choices")
        labels = [str(choices.get_option_at_index(i).prompt) for i in range(3)]
        assert labels == [
            "openrc  demo-openrc.sh",
            "cloud   sandbox  (clouds.yaml)",
            f"sandbox {running}",
        ]
        choices.focus()
        await pilot.press("end", "enter")
        await wait_for(pilot, lambda: regions_shown(app) == ["GRA", "SBG"], "the regions")


async def test_nothing_found_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = SwiftuiApp(environ={"OS_CLIENT_CONFIG_FILE": str(tmp_path / "none.yaml")})
    async with app.run_test(size=(100, 30)) as pilot:
        choices = app.screen.query_one("#choices", OptionList)
        await wait_for(pilot, lambda: choices.option_count == 1, "the explanation")
        text = str(choices.get_option_at_index(0).prompt)
        assert "No credentials found here" in text
        assert "swiftui sandbox" in text
        assert app.screen.query_one("#openrc-path", Input).has_focus
