"""Start-up against the sandbox: the password modal, the offered choices, errors on screen."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import openrc_with_region
from support.tui_support import wait_for
from textual.widgets import Input, OptionList, Static
from textual.widgets._toast import Toast

from swiftui.paths import sandbox_default_dir
from swiftui.sandbox import Sandbox
from swiftui.tui.app import SwiftuiApp
from swiftui.tui.browsing.regions import BrowserScreen
from swiftui.tui.connect.screen import ConnectRequest, ConnectScreen, PasswordScreen, RegionScreen
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


def toasts(app: SwiftuiApp) -> str:
    """The text of the notifications on screen, joined as the user reads them."""
    return " ".join(" ".join(str(toast.render()).split()) for toast in app.screen.query(Toast))


def browsed_region(app: SwiftuiApp) -> str:
    return app.screen.region_name if isinstance(app.screen, BrowserScreen) else ""


def picker_ready(app: SwiftuiApp) -> bool:
    """The region picker is on screen with its list mounted and focused (keys reach it)."""
    return isinstance(app.screen, RegionScreen) and app.screen.regions.has_focus


async def test_an_unknown_region_asked_for_is_picked_from_the_catalog(sandbox: Sandbox) -> None:
    request = ConnectRequest(
        "openrc", openrc=sandbox.openrc_path, environ={"OS_PASSWORD": sandbox.password}
    )
    app = SwiftuiApp(request, region="GRA7", environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: picker_ready(app), "the region picker")
        text = str(app.screen.query_one("#region-problem", Static).content)
        assert text.startswith("Region GRA7 has no object storage in this catalog.")
        regions = app.screen.query_one("#regions-to-pick", OptionList)
        assert [str(regions.get_option_at_index(i).prompt) for i in range(2)] == ["GRA", "SBG"]
        assert regions.highlighted == 0, "the nearest, GRA, comes highlighted"
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: regions_shown(app) == ["GRA", "SBG"], "the regions")
        assert browsed_region(app) == "SBG"


async def test_a_region_the_file_names_without_storage_is_picked_once_logged_in(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    openrc = openrc_with_region(sandbox, tmp_path, "XYZ1")
    app = SwiftuiApp(ConnectRequest("openrc", openrc=openrc, environ={}), environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PasswordScreen), "the password")
        await pilot.press(*sandbox.password, "enter")
        await wait_for(pilot, lambda: picker_ready(app), "the region picker")
        text = str(app.screen.query_one("#region-problem", Static).content)
        assert f"Region XYZ1 (from OS_REGION_NAME in {openrc}) has no object storage" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: "No region chosen" in status(app), "the explanation")
        assert "region 'XYZ1' (from OS_REGION_NAME in" in status(app)

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PasswordScreen), "the password")
        await pilot.press(*sandbox.password, "enter")
        await wait_for(pilot, lambda: picker_ready(app), "the picker again")
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: browsed_region(app) == "SBG", "SBG browsed")
        assert app.cloud is not None and app.cloud.default_region() == "SBG"


async def test_a_compute_region_in_the_file_uses_its_storage_region_and_says_so(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    openrc = openrc_with_region(sandbox, tmp_path, "SBG5")
    request = ConnectRequest("openrc", openrc=openrc, environ={"OS_PASSWORD": sandbox.password})
    app = SwiftuiApp(request, environ={})
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_for(pilot, lambda: browsed_region(app) == "SBG", "SBG browsed")
        notice = f"region SBG5 (from OS_REGION_NAME in {openrc}) has no object storage; using SBG"
        await wait_for(pilot, lambda: notice in toasts(app), "the notice")


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


async def test_one_openrc_is_offered_once_by_relative_and_absolute_path(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(sandbox.openrc_path, tmp_path / "openrc.sh")
    monkeypatch.chdir(tmp_path)
    given = ConnectRequest("openrc  openrc.sh", openrc=Path("openrc.sh"), environ={})
    app = SwiftuiApp(given, environ={"OS_CLIENT_CONFIG_FILE": str(tmp_path / "none.yaml")})
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PasswordScreen), "the password")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "no password" in status(app), "the explanation")
        choices = app.screen.query_one("#choices", OptionList)
        await wait_for(pilot, lambda: not app.screen.workers, "the discovery")
        labels = [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
        assert labels == ["openrc  openrc.sh"]
