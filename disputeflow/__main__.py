"""``python -m disputeflow`` runs the command line."""

from disputeflow.cli import main

main()
