"""Profile one page in-process with pyinstrument (a dev dependency).

    python -m benchmarks.profile_page --url sqlite:////tmp/rmt-bench-pages/pages.sqlite3 \\
        --email coach3.mu@bench.test --path /account/wachtwoord --repeat 200

Production settings (no ``ENV_NAME``), signed in through the session as ``--email``; prints the
mean time per request and pyinstrument's call tree (``--html FILE`` for the HTML view).
"""

from __future__ import annotations

import argparse
import sys
import time

import sqlalchemy as sa
from pyinstrument import Profiler


def main(argv: list[str] | None = None) -> int:
    from rmt import create_app
    from rmt.auth.models import User
    from rmt.extensions import db

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--path", default="/account/wachtwoord")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--html")
    args = parser.parse_args(argv)
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url,
                      "SECRET_KEY": "profile-secret-key-not-for-production",
                      "RATELIMIT_STORAGE_URI": "memory://"})
    client = app.test_client()
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == args.email))
        user_id = user.get_id()
    with client.session_transaction(base_url="https://localhost") as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    for _ in range(5):
        status = client.get(args.path, base_url="https://localhost").status_code
    if status != 200:
        raise SystemExit(f"{args.path} answered {status}")
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    for _ in range(args.repeat):
        client.get(args.path, base_url="https://localhost")
    profiler.stop()
    elapsed = time.perf_counter() - started
    print(f"{args.path}: {1000 * elapsed / args.repeat:.2f} ms per request (profiled)")
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.html:
        with open(args.html, "w") as file:
            file.write(profiler.output_html())
    return 0


if __name__ == "__main__":
    sys.exit(main())
