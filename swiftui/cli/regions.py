"""``swiftui regions``: the object-store regions of the catalog and their endpoints."""

from __future__ import annotations

import argparse

from swiftui.cli.common import add_auth_options, auth_option, load_args_credentials
from swiftui.cloud import connect


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("regions", help="list the object-store regions and endpoints")
    add_auth_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    cloud = connect(load_args_credentials(args), insecure=bool(auth_option(args, "insecure")))
    regions = cloud.regions()
    region_option = auth_option(args, "region")
    if region_option:
        cloud.check_region(str(region_option))
        regions = [region for region in regions if region.name == region_option]
    width = max((len(region.name) for region in regions), default=6)
    for region in regions:
        print(f"{region.name:<{width}}  {region.url}")
    return 0
