import re

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path

# What a translation must carry over unchanged: printf and format placeholders, HTML tags and
# entities. Chinese punctuation around them is free.
PLACEHOLDER = re.compile(r"%%|%\(\w+\)[sdrfi]|%[sdrfi]|\{\{.*?\}\}|\{\w*\}|<[^>]+>|&\w+;")
# Terms that are written the same in Chinese: the ID column and the risk grades A (best) to E.
SAME_IN_CHINESE = {"ID", "A", "B", "C", "D", "E"}


def _needs_translation(text):
    """Whether `text` is a term to translate: it has letters and is not the same in Chinese.
    Punctuation between fields ('.', ':') is not exported to the template either."""
    return any(c.isalpha() for c in text) and text.strip() not in SAME_IN_CHINESE


def _outer_whitespace(text):
    """The leading and the trailing whitespace of `text`."""
    return text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]


def placeholder_problems(entries):
    """Entries whose msgstr does not keep the placeholders or the outer whitespace of msgid."""
    problems = []
    for entry in entries:
        if not entry.msgstr:
            continue
        if sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(entry.msgstr)):
            problems.append(f"placeholders differ: {entry.msgid!r} -> {entry.msgstr!r}")
        if _outer_whitespace(entry.msgid) != _outer_whitespace(entry.msgstr):
            problems.append(f"outer whitespace differs: {entry.msgid!r} -> {entry.msgstr!r}")
    return problems


@tagged("post_install", "-at_install")
class TestI18nZhCN(TransactionCase):
    """The zh_CN translation covers every term of the addon and keeps its placeholders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.po = polib.pofile(file_path("rental_risk/i18n/zh_CN.po"))
        cls.pot = polib.pofile(file_path("rental_risk/i18n/rental_risk.pot"))
        cls.env["res.lang"]._activate_lang("zh_CN")
        module = cls.env["ir.module.module"].search([("name", "=", "rental_risk")])
        module._update_translations(["zh_CN"], overwrite=True)

    def _records(self, model):
        """Records of `model` that rental_risk defines (by their external ids)."""
        ids = (
            self.env["ir.model.data"]
            .search([("module", "=", "rental_risk"), ("model", "=", model)])
            .mapped("res_id")
        )
        return self.env[model].browse(ids).exists()

    def _untranslated(self, model, field_name):
        """'model,field: text' for each record of the addon whose zh_CN text is the en_US one."""
        records = self._records(model)
        zh = {rec.id: rec[field_name] for rec in records.with_context(lang="zh_CN")}
        offenders = []
        for rec in records.with_context(lang="en_US"):
            text = rec[field_name]
            if text and _needs_translation(text) and zh[rec.id] == text:
                offenders.append(f"{model},{field_name} #{rec.id}: {text!r}")
        return offenders

    def _untranslated_terms(self, model, field_name):
        """'model,field: term' for each term of a view or an action help of the addon that
        still reads in English once zh_CN is loaded."""
        records = self._records(model)
        field = self.env[model]._fields[field_name]
        offenders = []
        for rec in records.with_context(lang="en_US"):
            en_terms = set(field.get_trans_terms(rec[field_name]))
            zh_terms = set(field.get_trans_terms(rec.with_context(lang="zh_CN")[field_name]))
            offenders += [
                f"{model},{field_name} {rec.display_name}: {term!r}"
                for term in sorted(en_terms & zh_terms)
                if _needs_translation(field.get_text_content(term))
            ]
        return offenders

    def test_po_file_header(self):
        """The file declares its language and Chinese's single plural form."""
        self.assertEqual(self.po.metadata.get("Language"), "zh_CN")
        self.assertEqual(self.po.metadata.get("Plural-Forms"), "nplurals=1; plural=0;")
        self.assertIn("UTF-8", self.po.metadata.get("Content-Type", ""))

    def test_every_term_translated(self):
        """Menus, actions and their help, field labels and helps, selection labels, the texts
        of the views and every msgid of the template read in Chinese once zh_CN is loaded."""
        offenders = []
        offenders += self._untranslated("ir.ui.menu", "name")
        offenders += self._untranslated("ir.actions.act_window", "name")
        offenders += self._untranslated("ir.model.fields", "field_description")
        offenders += self._untranslated("ir.model.fields", "help")
        offenders += self._untranslated("ir.model.fields.selection", "name")
        offenders += self._untranslated_terms("ir.ui.view", "arch_db")
        offenders += self._untranslated_terms("ir.actions.act_window", "help")
        translated = {e.msgid for e in self.po if e.msgstr and not e.obsolete and not e.fuzzy}
        offenders += [
            f"zh_CN.po: no translation for {e.msgid!r}"
            for e in self.pot
            if e.msgid not in translated
        ]
        if offenders:
            self.fail(f"{len(offenders)} untranslated zh_CN term(s):\n" + "\n".join(offenders))

    def test_translations_keep_placeholders(self):
        """Each msgstr keeps the placeholders, tags and outer whitespace of its msgid."""
        problems = placeholder_problems(self.po)
        if problems:
            self.fail(f"{len(problems)} broken zh_CN translation(s):\n" + "\n".join(problems))

    def test_placeholder_check_catches_a_broken_translation(self):
        """The placeholder check itself refuses a lost or renamed placeholder."""
        broken = [
            polib.POEntry(msgid="%(order)s waits", msgstr="等待中"),
            polib.POEntry(msgid="<b>Hold</b>", msgstr="<strong>拦截</strong>"),
            polib.POEntry(msgid="\n  by", msgstr="由"),
        ]
        self.assertEqual(len(placeholder_problems(broken)), 3)
        good = [polib.POEntry(msgid="%(order)s waits", msgstr="%(order)s 等待中")]
        self.assertFalse(placeholder_problems(good))

    def test_loaded_terms_read_in_chinese(self):
        """Spot check through the ORM: the root menu, a field label and a selection label."""
        root = self.env.ref("rental_risk.rental_menu_root").with_context(lang="zh_CN")
        self.assertEqual(root.name, "租赁")
        labels = (
            self.env["sale.order"]
            .with_context(lang="zh_CN")
            .fields_get(["rental_risk_approval_state"], ["string", "selection"])[
                "rental_risk_approval_state"
            ]
        )
        self.assertIn(("waiting", "等待风险审批"), [tuple(s) for s in labels["selection"]])
