from tests import helpers
from tests.factories import UserFactory


def test_login_page_renders(client):
    response = client.get("/inloggen")
    assert response.status_code == 200
    assert "Inloggen" in helpers.html(response)


def test_login_flow(client, auth, login_as):
    user = UserFactory(email="a@b.nl", role="coach", regions=["MU", "AM"])
    response = auth.login("a@b.nl")
    assert response.status_code == 302, helpers.html(response)
    page = helpers.html(client.get("/"))
    assert user.name in page
