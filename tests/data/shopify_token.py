"""Run in a child process by the token tests: print the Shopify token this process uses
for the connection named on the command line (renewing it when it expires)."""

from __future__ import annotations

import sys

from disputeflow.engine.config import Settings
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import connections
from disputeflow.plugins.shopify.tokens import TokenSource


def main(connection_id: str) -> None:
    runtime = Runtime.create(Settings.from_env())
    with runtime.database.session(readonly=True) as session:
        connection = runtime.connection(connections.get_row(session, connection_id))
    print(TokenSource(connection).token(), flush=True)
    runtime.close()


if __name__ == "__main__":
    main(sys.argv[1])
