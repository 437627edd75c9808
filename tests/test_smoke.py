def test_login_page_renders(client):
    response = client.get("/inloggen")
    assert response.status_code == 200
    assert "Inloggen" in response.get_data(as_text=True)


def test_login_flow(client, auth, login_as):
    from tests.factories import UserFactory

    user = UserFactory(email="a@b.nl", role="coach", regions=["MU", "AM"])
    response = auth.login("a@b.nl")
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get("/").get_data(as_text=True)
    assert user.name in page
