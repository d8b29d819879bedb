"""Who may add documents: the decision the app takes from st.user and ADVISOR_UPLOADERS."""

from __future__ import annotations

from advisor.access import LOCAL_USER, decide_access, may_upload, parse_uploaders


def test_without_sign_in_the_local_user_may_upload():
    access = decide_access(False, {}, "")
    assert (access.sign_in_required, access.user, access.can_upload) == (False, LOCAL_USER, True)


def test_with_sign_in_a_visitor_must_sign_in_and_may_not_upload():
    access = decide_access(True, {"is_logged_in": False}, "*")
    assert access.sign_in_required and not access.can_upload


def test_nobody_uploads_unless_named():
    assert not decide_access(True, {"is_logged_in": True, "email": "ana@bridge49.com"}, "").can_upload


def test_entries_match_address_domain_role_and_everyone():
    ana = {"is_logged_in": True, "email": "Ana@Bridge49.com", "groups": ["sales", "Editors"]}
    assert parse_uploaders(" ana@bridge49.com, role:editors  @x.org") == ("ana@bridge49.com", "role:editors", "@x.org")
    assert may_upload(ana, ("ana@bridge49.com",))
    assert may_upload(ana, ("@bridge49.com",))
    assert may_upload(ana, ("role:editors",))
    assert may_upload(ana, ("*",))
    assert not may_upload(ana, ("@49.com.evil",))
    assert not may_upload(ana, ("role:admins", "bob@bridge49.com", "@other.com"))
    assert may_upload({"roles": "uploaders admins"}, ("role:admins",))


def test_an_unverified_email_does_not_count():
    mallory = {"is_logged_in": True, "email": "ceo@bridge49.com", "email_verified": False}
    assert not may_upload(mallory, ("@bridge49.com", "ceo@bridge49.com"))
    assert decide_access(True, mallory, "@bridge49.com").user == "ceo@bridge49.com"
