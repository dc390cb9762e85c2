"""`python -m notifications`: run the notifications service."""

from notifications.app import main

main()
