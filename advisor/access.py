"""Who may do what in the app: the decision, apart from Streamlit (the app feeds it ``st.user`` and the settings).

Sign-in is Streamlit's own OpenID Connect login (``st.login``), switched on by an ``[auth]`` section in
``.streamlit/secrets.toml``. Without it the app is a single-user tool on this computer (served on localhost), and
that user may add documents. With it, every page needs a signed-in user, and adding documents is allowed only to
the users that ``ADVISOR_UPLOADERS`` names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LOCAL_USER = "local user"
ROLE_CLAIMS = ("roles", "groups")
"""Identity-token claims read as the user's roles (Entra ID and Keycloak send ``roles``; Okta, Auth0 ``groups``)."""


@dataclass(frozen=True)
class Access:
    """What this session may do. ``user`` is the e-mail (else the subject) of the signed-in user, or
    :data:`LOCAL_USER` when sign-in is not configured; ``sign_in_required`` means: show only the sign-in page."""

    auth_configured: bool
    signed_in: bool
    user: str
    can_upload: bool

    @property
    def sign_in_required(self) -> bool:
        """True when this visitor must sign in before seeing anything else."""
        return self.auth_configured and not self.signed_in


def parse_uploaders(setting: str) -> tuple[str, ...]:
    """``ADVISOR_UPLOADERS`` as entries: ``*`` (every signed-in user), ``ana@example.com``, ``@example.com`` (a
    whole domain) or ``role:editors`` (a role or group claim); comma- or space-separated, case-insensitive."""
    return tuple(e.strip().lower() for e in setting.replace(",", " ").split() if e.strip())


def _roles(user_info: Mapping) -> set[str]:
    roles: set[str] = set()
    for claim in ROLE_CLAIMS:
        value = user_info.get(claim)
        if isinstance(value, str):
            roles.update(value.replace(",", " ").split())
        elif isinstance(value, (list, tuple)):
            roles.update(str(v) for v in value)
    return {r.lower() for r in roles}


def may_upload(user_info: Mapping, uploaders: tuple[str, ...]) -> bool:
    """True if a signed-in user (``st.user`` as a mapping: ``email``, ``roles``/``groups``) matches an entry of
    ``uploaders`` (see :func:`parse_uploaders`). An e-mail counts only when the provider marked it verified (or
    did not say)."""
    email = str(user_info.get("email") or "").lower()
    if user_info.get("email_verified") is False:
        email = ""
    roles = _roles(user_info)
    for entry in uploaders:
        if entry == "*":
            return True
        if entry.startswith("role:") and entry[5:] in roles:
            return True
        if entry.startswith("@") and email.endswith(entry):
            return True
        if email and entry == email:
            return True
    return False


def decide_access(auth_configured: bool, user_info: Mapping, uploaders: str) -> Access:
    """The session's :class:`Access` from whether sign-in is configured, ``st.user`` (a mapping with
    ``is_logged_in``, ``email``, ``sub``…) and the ``ADVISOR_UPLOADERS`` setting."""
    if not auth_configured:
        return Access(False, False, LOCAL_USER, True)
    signed_in = bool(user_info.get("is_logged_in"))
    if not signed_in:
        return Access(True, False, "", False)
    user = str(user_info.get("email") or user_info.get("sub") or user_info.get("name") or "signed-in user")
    return Access(True, True, user, may_upload(user_info, parse_uploaders(uploaders)))
