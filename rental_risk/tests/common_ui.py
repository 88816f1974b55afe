from lxml import etree

from odoo import models
from odoo.tests import new_test_user
from odoo.tools.safe_eval import safe_eval
from odoo.tools.view_validation import get_expression_field_names

#: The rental roles (security/rental_risk_groups.xml); the administrator is added by the helpers.
ROLE_GROUPS = {
    "rental_user": "rental_risk.rental_risk_group_user",
    "rental_warehouse": "rental_risk.rental_risk_group_warehouse",
    "risk_officer": "rental_risk.rental_risk_group_officer",
    "risk_manager": "rental_risk.rental_risk_group_manager",
}
ROOT_MENU = "rental_risk.rental_menu_root"


class RentalUiHelpers:
    """One user per rental role plus the administrator, and the menus each of them reaches."""

    @classmethod
    def _create_role_users(cls):
        cls.role_users = {
            role: new_test_user(cls.env, login=f"rr_ui_{role}", groups=groups, tour_enabled=False)
            for role, groups in ROLE_GROUPS.items()
        }
        admin = cls.env.ref("base.user_admin")
        admin.tour_enabled = False
        cls.role_users["administrator"] = admin

    @classmethod
    def _menu_actions(cls, user):
        """The actions ``user`` reaches from the Rental menus, in menu order (no duplicates)."""
        menus = cls.env["ir.ui.menu"].with_user(user).load_menus(False)
        root = cls.env.ref(ROOT_MENU)
        if root.id not in menus:
            return cls.env["ir.actions.actions"]
        actions, todo = [], [root.id]
        while todo:
            menu = menus[todo.pop(0)]
            if menu.get("action"):
                model, action_id = menu["action"].split(",")
                action = cls.env[model].browse(int(action_id))
                if action not in actions:
                    actions.append(action)
            todo = list(menu["children"]) + todo
        return actions


def node_invisible(record, xpath, view_type="form"):
    """Whether the node ``xpath`` of ``record``'s view is hidden for this record, as the web
    client decides it: the node is absent for the user (groups), or its ``invisible``
    expression is true with the record's values. Raises when ``xpath`` matches nothing at all
    (a renamed node must not make a test pass)."""
    arch = record.get_view(view_type=view_type)["arch"]
    nodes = etree.fromstring(arch).xpath(xpath)
    if not nodes:
        full = record.sudo().get_view(view_type=view_type)["arch"]
        if not etree.fromstring(full).xpath(xpath):
            raise AssertionError(f"no node {xpath} in the {view_type} view of {record._name}")
        return True
    expression = nodes[0].get("invisible") or "False"
    values = {}
    for name in get_expression_field_names(expression):
        value = record[name] if name in record._fields else False
        if isinstance(value, models.BaseModel):
            value = value.ids if record._fields[name].type.endswith("2many") else value.id
        values[name] = value
    return bool(safe_eval(expression, {"context": {}, **values}))
