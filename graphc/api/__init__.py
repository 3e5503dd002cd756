"""Talking to the order router: the HTTP client, the submission ledger, secrets.

Import the submodules directly (``graphc.api.client``, ``graphc.api.ledger``);
this package stays empty so that importing ``graphc.api.errors`` does not pull
in httpx. The local router sandbox is its own package, :mod:`graphc.sandbox`.
"""
