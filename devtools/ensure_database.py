"""`python -m devtools.ensure_database URL`: create the PostgreSQL database the URL names, if missing
(for `make bench SCALE=huge`; SQLite makes its file by itself)."""

import sys
from urllib.parse import urlparse

import psycopg
from psycopg import sql


def main(url: str) -> None:
    parts = urlparse(url)
    if not parts.scheme.startswith("postgres"):
        return
    name = parts.path.lstrip("/")
    server = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(server, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


if __name__ == "__main__":
    main(sys.argv[1])
