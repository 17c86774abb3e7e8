"""`manage.py loadtest groups|max|idle|storm|restart|resync`: measure the server under load over real WebSockets.

See docs/performance.md for the scenario, the exact commands and the figures.
"""

import json
import subprocess
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from loadtest import profile, provision
from loadtest.clients import CLIENTS, UserSpec
from loadtest.generator import raise_fd_limit
from loadtest.idle import run_idle
from loadtest.restart import run_restart, run_resync
from loadtest.runner import Options, Target, machine_description, run_groups, run_max, user_specs
from loadtest.servers import ServerGroup, is_loopback_url, server_env
from loadtest.stats import format_report, markdown_row
from loadtest.storm import run_storm


def git_commit() -> str:
    """The checked-out commit, for the results table ("" outside a git checkout)."""
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


class Command(BaseCommand):
    help = (
        "Load-test the chat server: groups (fixed U), max (largest U within the latency bound), idle (memory), "
        "storm (sign-ins at once), restart (one process stopped, its clients reconnecting), resync (Redis "
        "lost the routes: every process closes its connections, their clients reconnecting)."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        """The command's options (see docs/performance.md)."""
        parser.add_argument("mode", choices=["groups", "max", "idle", "storm", "restart", "resync"])
        parser.add_argument("--protocol", choices=sorted(CLIENTS), default="sama")
        parser.add_argument("--users", type=int, default=None, help="users (groups), connections (idle)")
        parser.add_argument("--period", type=float, default=5.0, help="seconds between two sends of one user")
        parser.add_argument("--ramp", type=float, default=100.0, help="users signed in per second while ramping up")
        parser.add_argument("--duration", type=float, default=None, help="steady phase in seconds (60; max: 30)")
        parser.add_argument("--drain", type=float, default=10.0, help="seconds to wait for late deliveries")
        parser.add_argument("--settle", type=float, default=2.0, help="pause between ramp-up and steady phase")
        parser.add_argument("--group-size", type=int, default=4)
        parser.add_argument("--generators", type=int, default=1, help="generator processes")
        parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for one answer")
        parser.add_argument("--url", action="append", default=[], help="target a running server (loopback only)")
        parser.add_argument("--servers", type=int, default=1, help="daphne processes to start (without --url)")
        parser.add_argument(
            "--in-flight",
            type=int,
            default=1000,
            help="storm, restart, resync: sign-ins under way at once (restart, resync: before the closes)",
        )
        parser.add_argument(
            "--rate",
            type=float,
            default=None,
            help="storm: start sign-ins at this many a second whatever is under way (an open loop), "
            "instead of keeping --in-flight under way",
        )
        parser.add_argument(
            "--loaded-servers",
            type=int,
            default=None,
            help="connect every user to the first N of the started processes but one each to the others",
        )
        parser.add_argument("--server-env", action="append", default=[], metavar="KEY=VALUE")
        parser.add_argument("--provision", choices=["db", "protocol"], default="db")
        parser.add_argument("--auth", choices=["token", "password"], default="token")
        parser.add_argument("--prefix", default="lt", help="login prefix of the load-test users")
        parser.add_argument("--password", default="loadtest-pass")
        # Numbers of a real plan (the server texts codes only to valid ones), Singapore's 9xxxxxxx
        # mobiles; codes go to the in-memory backend of this process, never to a phone.
        parser.add_argument("--country-code", default="65", help="Hooligram users' country code")
        parser.add_argument("--phone-prefix", default="9", help="Hooligram users' phone numbers start so")
        parser.add_argument("--no-migrate", action="store_true")
        parser.add_argument(
            "--stale-statistics",
            action="store_true",
            help="plan on the statistics of empty tables (PostgreSQL, as superuser): a first burst",
        )
        parser.add_argument("--force-database", action="store_true", help="allow a database not named *load*/*test*")
        parser.add_argument("--start", type=int, default=300, help="max: first U")
        parser.add_argument("--step", type=int, default=300, help="max: U added per step")
        parser.add_argument("--max-users", type=int, default=6000, help="max: largest U tried")
        parser.add_argument("--p99-ms", type=float, default=200.0, help="max: latency bound")
        parser.add_argument(
            "--profile",
            nargs="?",
            const="wall",
            default="",
            choices=profile.MODES,
            help="py-spy the servers in the steady phase: wall (every thread), gil (where Python CPU goes) "
            "or native (gil with the C frames, system calls included)",
        )
        parser.add_argument("--json", type=Path, default=None, help="append the figures to this JSON-lines file")
        parser.add_argument("--log-dir", type=Path, default=Path("artifacts/loadtest"))

    def handle(self, *args: Any, **opts: Any) -> None:
        """Prepare the database and servers, run the mode, report, stop the servers."""
        mode = opts["mode"]
        defaults = {
            "groups": 100,
            "max": opts["max_users"],
            "idle": 1000,
            "storm": 5000,
            "restart": 5000,
            "resync": 5000,
        }
        users = opts["users"] or defaults[mode]
        if mode == "max":
            users = opts["max_users"]
        options = Options(
            protocol=opts["protocol"],
            users=users,
            period=opts["period"],
            ramp=opts["ramp"],
            duration=opts["duration"] or (30.0 if mode == "max" else 60.0),
            settle=opts["settle"],
            drain=opts["drain"],
            group_size=opts["group_size"],
            generators=opts["generators"],
            timeout=opts["timeout"],
            urls=opts["url"],
            servers=opts["servers"],
            provision=opts["provision"],
            auth=opts["auth"] if opts["provision"] == "db" else "password",
            prefix=opts["prefix"],
            password=opts["password"],
            log_dir=opts["log_dir"] / time.strftime("%Y%m%d-%H%M%S"),
            profile=opts["profile"],
        )
        self.refuse_unsafe(options, opts)
        limit = raise_fd_limit()
        if limit < users + 100:
            self.stderr.write(f"warning: open-file limit {limit} is low for {users} connections")
        provisioned = self.prepare_database(options, opts)
        target = self.start_target(options, opts)
        try:
            specs = user_specs(options, target, users, provisioned)
            self.stdout.write(f"{mode}: {users} users on {', '.join(target.urls)} ({machine_description()})")
            before = self.groups_reset if options.provision == "db" else None
            if mode == "groups":
                self.report("groups", run_groups(options, target, specs, before), opts["json"])
            elif mode == "idle":
                self.report("idle", run_idle(options, target, specs), opts["json"])
            elif mode == "storm":
                self.report("storm", run_storm(options, target, specs, opts["in_flight"], opts["rate"]), opts["json"])
            elif mode == "restart":
                self.report("restart", run_restart(options, target, specs, opts["in_flight"]), opts["json"])
            elif mode == "resync":
                self.report("resync", run_resync(options, target, specs, opts["in_flight"]), opts["json"])
            else:
                result = run_max(
                    options,
                    target,
                    specs,
                    start=opts["start"],
                    step=opts["step"],
                    p99_ms=opts["p99_ms"],
                    report=lambda f: self.report(f"max step: {f['users']} users", f, opts["json"]),
                    before=before,
                )
                self.stdout.write(f"max: {result['max_users']} users with p99 < {opts['p99_ms']:g} ms, nothing lost")
                self.write_json(opts["json"], {"mode": "max", "max_users": result["max_users"]})
        finally:
            if target.group is not None:
                target.group.stop()

    def refuse_unsafe(self, options: Options, opts: dict[str, Any]) -> None:
        """Refuse what a run must not do: other hosts, an undedicated database, too few users, a
        rate of no sign-ins."""
        for url in options.urls:
            if not url.startswith(("ws://", "wss://")) or not is_loopback_url(url):
                raise CommandError(f"{url}: only ws:// URLs on this machine's loopback are allowed")
        if options.protocol == "hooligram" and options.provision != "db":
            raise CommandError("Hooligram users sign in with verified codes: use --provision db")
        if opts["provision"] == "db" and not opts["force_database"]:
            name = provision.database_name()
            if not provision.database_is_dedicated(name):
                raise CommandError(f"database {name!r} is not named for load tests (*load*, *test*); see --help")
        if not options.urls and options.servers > 1 and not settings.REDIS_URL:
            raise CommandError("several server processes need the Redis channel layer: set REDIS_URL")
        if opts["rate"] is not None and not opts["rate"] > 0:
            raise CommandError("--rate must be a number of sign-ins a second above 0")
        if opts["mode"] == "restart" and (options.urls or options.servers < 2):
            raise CommandError("restart stops a process it started: give --servers 2 or more, and no --url")
        if opts["mode"] == "resync" and (options.urls or not settings.REDIS_URL):
            raise CommandError("resync has Redis lose the routes of processes it started: set REDIS_URL, and no --url")
        if options.users < options.group_size and opts["mode"] not in ("idle", "storm", "restart", "resync"):
            raise CommandError(f"at least {options.group_size} users are needed")

    def prepare_database(self, options: Options, opts: dict[str, Any]) -> list[dict[str, Any]] | None:
        """Create, migrate and fill the run's database (with --provision db); answers the users."""
        if not options.urls:
            if provision.ensure_database():
                self.stdout.write(f"created database {provision.database_name()}")
            if not opts["no_migrate"]:
                provision.migrate()
        if options.provision != "db":
            return None
        started = time.monotonic()
        if options.protocol == "hooligram":
            codes_file = opts["log_dir"] / f"hooligram-codes-{provision.database_name()}.json"
            users = provision.phone_users_provision(
                options.users,
                country_code=opts["country_code"],
                number_prefix=opts["phone_prefix"],
                codes_file=codes_file,
            )
        else:
            users = provision.users_provision(
                options.users, prefix=options.prefix, password=options.password, device_id=options.device_id
            )
        if provision.database_tidy():
            self.stdout.write("note: autovacuum is off on this PostgreSQL; the database was vacuumed before the run")
        if opts["stale_statistics"]:
            provision.statistics_forget()
            self.stdout.write("the planner's statistics are now those of empty tables")
        self.stdout.write(f"provisioned {len(users)} users in {time.monotonic() - started:.1f} s")
        return users

    def groups_reset(self, users: list[UserSpec]) -> None:
        """Take the run's users out of the groups earlier runs made, so every run starts alike."""
        left = provision.earlier_groups_leave([u.user_id for u in users if u.user_id is not None])
        if left:
            self.stdout.write(f"took the users out of earlier runs' groups ({left} memberships)")

    def start_target(self, options: Options, opts: dict[str, Any]) -> Target:
        """The servers to load: the given URLs, or daphne processes started here."""
        if options.urls:
            return Target(urls=options.urls)
        extra = dict(item.split("=", 1) for item in opts["server_env"])
        env = server_env(provision.database_url(), settings.REDIS_URL, provision.secret_key(), extra)
        group = ServerGroup(options.servers, env, options.log_dir)
        group.start()
        self.stdout.write(f"started {options.servers} daphne process(es); logs in {options.log_dir}")
        loaded = opts.get("loaded_servers") or options.servers
        return Target(urls=group.urls[:loaded], group=group, sparse_urls=group.urls[loaded:])

    def report(self, title: str, figures: dict[str, Any], json_path: Path | None) -> None:
        """Print the figures and their results-table row; append them to the JSON file."""
        figures["commit"] = git_commit()
        self.stdout.write(format_report(title, figures))
        self.stdout.write("docs/performance.md row:\n" + markdown_row(figures))
        self.write_json(json_path, {"mode": title, **figures})

    def write_json(self, path: Path | None, figures: dict[str, Any]) -> None:
        """Append one JSON line to `path` (if given)."""
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a") as out:
                out.write(json.dumps(figures) + "\n")
