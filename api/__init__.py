"""The Carebridge HTTP API (FastAPI): the same questions as ``kg``, maps and the board report.

``create_app()`` builds the application; ``kg serve`` runs it with uvicorn.
"""

from api.main import create_app

__all__ = ["create_app"]
