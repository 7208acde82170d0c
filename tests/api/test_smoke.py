from tests.factories import member


def test_me_answers_for_a_token(client, session):
    m = member(session)
    session.commit()
    r = client.get("/v1/users/me", headers=m.headers)
    assert r.status_code == 200
    assert r.json()["email"] == m.user.email
