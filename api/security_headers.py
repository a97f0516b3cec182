"""Headers for the HTML pages: they run only their own inline code and fetch nothing.

The pages are self-contained (vis-network inlined), so the policy can forbid every network
fetch; if a name ever slipped through unescaped, the browser would still load nothing.
"""

from __future__ import annotations

from fastapi.responses import HTMLResponse

__all__ = ["PAGE_POLICY", "page_response"]

PAGE_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; frame-src 'self' data: about:; "
    "base-uri 'none'; form-action 'none'"
)


def page_response(html: str, *, filename: str | None = None) -> HTMLResponse:
    headers = {"Content-Security-Policy": PAGE_POLICY, "Referrer-Policy": "no-referrer"}
    if filename:
        headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return HTMLResponse(html, headers=headers)
