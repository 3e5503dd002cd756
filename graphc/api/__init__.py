"""Talking to the order router: client, submission ledger, local sandbox.

Import the submodules directly (``graphc.api.client``, ``graphc.api.ledger``,
``graphc.api.sandbox``); this package stays empty so that importing
``graphc.api.errors`` does not pull in httpx.
"""
