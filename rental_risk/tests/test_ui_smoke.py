import json

from odoo.tests import HttpCase, TransactionCase, tagged

from .common_ui import ROOT_MENU, RentalUiHelpers


@tagged("post_install", "-at_install")
class TestUiViews(RentalUiHelpers, TransactionCase):
    """Every view of the addon and of every action of its menus renders for every role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_role_users()

    def test_every_role_reaches_the_rental_menus(self):
        """Each role sees the Rental app with at least one action in it."""
        for role, user in self.role_users.items():
            with self.subTest(role=role):
                self.assertTrue(self._menu_actions(user), f"{role} sees no Rental menu action")

    def test_menu_actions_render_in_every_view_type(self):
        """get_views of each menu action, all its view types and its search view, as each role."""
        for role, user in self.role_users.items():
            for action in self._menu_actions(user):
                if action._name != "ir.actions.act_window":
                    continue
                model = self.env[action.res_model].with_user(user)
                views = [(view.id, view_type) for view, view_type in self._action_views(action)]
                views.append((action.search_view_id.id, "search"))
                with self.subTest(role=role, action=action.name):
                    result = model.get_views(views)
                    self.assertEqual(
                        set(result["views"]), {view_type for _view, view_type in views}
                    )

    def test_every_view_of_the_addon_renders(self):
        """Every view the addon defines or extends renders for every role that reads its model."""
        views = (
            self.env["ir.model.data"]
            .search([("module", "=", "rental_risk"), ("model", "=", "ir.ui.view")])
            .mapped(lambda data: self.env["ir.ui.view"].browse(data.res_id))
            # QWeb report templates belong to no model: test_report_* renders them.
            .filtered(lambda view: view.type != "qweb")
        )
        self.assertTrue(views)
        for role, user in self.role_users.items():
            for view in views:
                root = view
                while root.inherit_id and root.mode == "extension":
                    root = root.inherit_id
                model = self.env[root.model].with_user(user)
                if not model.has_access("read"):
                    continue
                with self.subTest(role=role, view=view.xml_id):
                    arch = model.get_view(root.id, root.type)["arch"]
                    self.assertTrue(arch)

    def _action_views(self, action):
        """(view, view_type) of each view type of ``action`` (view may be empty: the default)."""
        explicit = {
            view_type: self.env["ir.ui.view"].browse(view_id) for view_id, view_type in action.views
        }
        for view_type in action.view_mode.split(","):
            yield explicit.get(view_type, self.env["ir.ui.view"]), view_type


@tagged("post_install", "-at_install")
class TestUiMenusInBrowser(RentalUiHelpers, HttpCase):
    """In Chromium, as each role: every action of the Rental menus opens in every view type."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_role_users()

    def _smoke(self, role):
        user = self.role_users[role]
        steps = []
        for action in self._menu_actions(user):
            if action._name == "ir.actions.act_window":
                view_types = action.view_mode.split(",")
                # A record the web client shows: of the user's current company only.
                record = (
                    self.env[action.res_model]
                    .with_user(user)
                    .with_context(allowed_company_ids=user.company_id.ids)
                    .search([], limit=1)
                )
                steps.append(
                    {
                        "id": action.id,
                        "name": action.name,
                        "target": action.target,
                        "view_types": view_types,
                        # A wizard opens on a new record, as from its menu.
                        "res_id": not record._transient and record.id,
                    }
                )
            elif action._name == "ir.actions.client":
                steps.append(
                    {
                        "id": action.id,
                        "name": action.name,
                        "target": action.target,
                        "view_types": ["client"],
                        "res_id": False,
                    }
                )
        self.assertTrue(steps, f"{role} reaches no action from the {ROOT_MENU} menus")
        self.browser_js(
            "/odoo",
            f"window.rentalRiskMenuSmoke({json.dumps(steps)})",
            ready="odoo.isReady === true && !!window.rentalRiskMenuSmoke",
            login=user.login,
            timeout=300,
        )

    def test_rental_user(self):
        """A Rental User opens every view of every Rental menu without an error."""
        self._smoke("rental_user")

    def test_rental_warehouse(self):
        """A Rental Warehouse user opens every view of every Rental menu without an error."""
        self._smoke("rental_warehouse")

    def test_risk_officer(self):
        """A Risk Officer opens every view of every Rental menu without an error."""
        self._smoke("risk_officer")

    def test_risk_manager(self):
        """A Risk Manager opens every view of every Rental menu without an error."""
        self._smoke("risk_manager")

    def test_administrator(self):
        """The administrator opens every view of every Rental menu without an error."""
        self._smoke("administrator")


@tagged("post_install", "-at_install")
class TestUiLanding(RentalUiHelpers, HttpCase):
    """Each role logs in and opens the Rental app: its landing page loads without an error."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_role_users()

    def _landing(self, role):
        self.start_tour("/odoo", "rental_risk_landing", login=self.role_users[role].login)

    def test_rental_user(self):
        """A Rental User lands on the Rental app."""
        self._landing("rental_user")

    def test_rental_warehouse(self):
        """A Rental Warehouse user lands on the Rental app."""
        self._landing("rental_warehouse")

    def test_risk_officer(self):
        """A Risk Officer lands on the Rental app."""
        self._landing("risk_officer")

    def test_risk_manager(self):
        """A Risk Manager lands on the Rental app."""
        self._landing("risk_manager")

    def test_administrator(self):
        """The administrator lands on the Rental app."""
        self._landing("administrator")
