"""``python -m strangler.demo [--var-dir DIR] [--proxy-port N] ...``: see the package docstring."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from strangler.demo.config import REPO, DemoConfig, DemoError
from strangler.demo.run import run_demo

STAGES = ("monolith", "shadow", "canary", "service")


def _parser() -> argparse.ArgumentParser:
    env = os.environ.get
    parser = argparse.ArgumentParser(
        prog="python -m strangler.demo",
        description="Run the monolith, the catalog service, a sync follower and the strangler "
                    "proxy on 127.0.0.1; Ctrl-C stops them all.")
    parser.add_argument("--var-dir", type=Path,
                        default=Path(env("STRANGLER_DEMO_VAR_DIR", str(REPO / "var"))),
                        help="databases, routes file, state and logs (default: var/)")
    for name, default in (("monolith", 8000), ("catalog", 8001), ("proxy", 8080),
                          ("admin", 8081)):
        parser.add_argument(f"--{name}-port", type=int,
                            default=int(env(f"STRANGLER_DEMO_{name.upper()}_PORT", default)),
                            help=f"default {default}")
    parser.add_argument("--size", choices=("small", "medium", "large"), default="small",
                        help="seed size when the monolith is seeded (first run)")
    parser.add_argument("--stage", choices=STAGES, default="shadow",
                        help="starting stage of the catalog route (default shadow)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    config = DemoConfig(var_dir=args.var_dir.resolve(), monolith_port=args.monolith_port,
                        catalog_port=args.catalog_port, proxy_port=args.proxy_port,
                        admin_port=args.admin_port, size=args.size, stage=args.stage)
    try:
        return run_demo(config)
    except DemoError as exc:
        print(f"demo: {exc}", file=sys.stderr, flush=True)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
