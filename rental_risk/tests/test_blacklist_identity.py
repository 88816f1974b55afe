from odoo.tests import tagged

from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestRiskIdentity(RiskCommon):
    """Identity matching against blacklisted customers, on each identifier."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cn = cls.env.ref("base.cn")
        cls.be = cls.env.ref("base.be")
        cls.fraudster = cls.env["res.partner"].create(
            {
                "name": "Known Fraudster",
                "country_id": cls.cn.id,
                "phone": "+86 138 0013 8000",
                "mobile": "0086-139-0000-1111",
                "email": " Fraud.Ster@Example.COM ",
                "vat": "be 0477.472.701",
                "rental_kyc_id_number": "e 1234-567",
            }
        )
        cls.fraudster.with_user(cls.manager)._rental_risk_set_blacklist("fraud", "Stolen cards")

    def _newcomer(self, **vals):
        return self.env["res.partner"].create({"name": "Newcomer", **vals})

    def test_phone_with_and_without_country_prefix(self):
        """ "138-0013-8000" for a Chinese partner matches "+86 138 0013 8000"."""
        partner = self._newcomer(country_id=self.cn.id, phone="138-0013-8000")
        self.assertEqual(partner.rental_blacklist_match_id, self.fraudster)
        self.assertIn("phone", partner.rental_blacklist_match_reason)

    def test_national_number_without_country_matches_both_ways(self):
        """ "13800138000" on a partner without country (company in the US) matches the
        blacklisted "+86 138-0013-8000", and the other way round."""
        self.company.country_id = self.env.ref("base.us")
        partner = self._newcomer(phone="13800138000")
        self.assertFalse(partner.country_id)
        self.assertEqual(partner.rental_blacklist_match_id, self.fraudster)
        self.assertIn("13800138000", partner.rental_blacklist_match_reason)
        # The other way: a loose number known first, the international one blacklisted later.
        loose = self._newcomer(name="Loose Number", mobile="0139 0000 2222")
        self.assertFalse(loose.rental_blacklist_match_id)
        other = self._newcomer(name="Later Fraudster", country_id=self.cn.id)
        other.phone = "+86 139 0000 2222"
        other.with_user(self.manager)._rental_risk_set_blacklist("fraud", "Same gang")
        self.assertEqual(loose.rental_blacklist_match_id, other)

    def test_national_numbers_of_two_countries_do_not_match(self):
        """The same national digits in two known countries are two different numbers."""
        partner = self._newcomer(country_id=self.be.id, phone="+32 138 0013 8000")
        self.assertFalse(partner.rental_blacklist_match_id)

    def test_mobile_matches_phone(self):
        """A mobile "+86 13900001111" matches the fraudster's "0086-139-0000-1111"."""
        partner = self._newcomer(phone="+86 13900001111")
        self.assertEqual(partner.rental_blacklist_match_id, self.fraudster)

    def test_email_case_and_spaces(self):
        """E-mails match regardless of case and spaces."""
        partner = self._newcomer(email="fraud.ster@example.com")
        self.assertEqual(partner.rental_blacklist_match_id, self.fraudster)

    def test_vat_with_and_without_prefix(self):
        """ "0477472701" for a Belgian partner matches "be 0477.472.701"."""
        partner = self._newcomer(country_id=self.be.id, vat="0477472701", is_company=True)
        self.assertEqual(partner.rental_blacklist_match_id, self.fraudster)

    def test_id_document_number(self):
        """ID numbers match without case, spaces or dashes."""
        partner = self._newcomer(rental_kyc_id_number="E1234567")
        self.assertEqual(partner.rental_blacklist_match_id, self.fraudster)

    def test_address_matches_only_when_the_company_asks(self):
        """The same address written differently flags the newcomer once the company matches
        on addresses (off by default); the neighbour at number 7 is not flagged."""
        self.fraudster.write(
            {
                "street": "5, Rue de l'Église",
                "zip": "1000",
                "city": "Bruxelles",
                "country_id": self.be.id,
            }
        )
        partner = self._newcomer(
            street="rue de l eglise 5", zip="1000", city="BRUXELLES", country_id=self.be.id
        )
        self.assertFalse(partner.rental_blacklist_match_id, "addresses are not matched by default")
        self.env.company.rental_risk_match_address = True
        partner.street = "Rue de l'Eglise, 5"
        self.assertEqual(partner.rental_blacklist_match_id, self.fraudster)
        self.assertEqual(
            partner.rental_blacklist_match_reason, "address 5, Rue de l'Église, 1000, Bruxelles"
        )
        neighbour = self._newcomer(street="Rue de l'Église 7", zip="1000", country_id=self.be.id)
        self.assertFalse(neighbour.rental_blacklist_match_id)

    def test_edit_triggers_matching(self):
        """An edit of the e-mail flags the partner; an unrelated one does not."""
        partner = self._newcomer(email="honest@example.com")
        self.assertFalse(partner.rental_blacklist_match_id)
        partner.email = "FRAUD.STER@example.com"
        self.assertEqual(partner.rental_blacklist_match_id, self.fraudster)
        self.assertTrue(self._events("blacklist_match", partner=partner))

    def test_contact_flags_its_company(self):
        """A contact sharing the phone flags its commercial partner."""
        company = self._newcomer(is_company=True)
        self.env["res.partner"].create(
            {"name": "Contact", "parent_id": company.id, "email": "fraud.ster@example.com"}
        )
        self.assertEqual(company.rental_blacklist_match_id, self.fraudster)

    def test_blacklisting_flags_existing_lookalikes(self):
        """Blacklisting someone flags existing customers sharing an identifier."""
        twin = self._newcomer(email="twin@example.com")
        other = self.env["res.partner"].create({"name": "Twin Fraud", "email": "TWIN@example.com"})
        self.assertFalse(twin.rental_blacklist_match_id)
        other.with_user(self.manager)._rental_risk_set_blacklist("fraud", "Same scheme")
        self.assertEqual(twin.rental_blacklist_match_id, other)

    def test_confirmation_rematches(self):
        """Confirmation re-runs the matching: a blacklist set after the partner was created
        is caught."""
        self._rule("blacklist_match", "approval", approval_group_id=self.officer_group.id)
        self.customer.email = "later@example.com"
        late = self.env["res.partner"].create({"name": "Later Fraud"})
        late.with_user(self.manager)._rental_risk_set_blacklist("fraud", "Later")
        # Identifier written with SQL, as an import would: no write() hook ran.
        self.env.cr.execute(
            "UPDATE res_partner SET rental_email_norm = 'later@example.com' WHERE id = %s",
            [late.id],
        )
        self.env["res.partner"].invalidate_model()
        order = self._order()
        order.action_confirm()
        self.assertEqual(self.customer.rental_blacklist_match_id, late)
        self.assertEqual(order.rental_risk_approval_state, "waiting")

    def test_dismissed_match_stays_dismissed(self):
        """A Risk Officer dismisses a false match; later edits do not flag it again."""
        partner = self._newcomer(email="fraud.ster@example.com")
        partner.with_user(self.officer).action_rental_risk_dismiss_match()
        self.assertFalse(partner.rental_blacklist_match_id)
        partner.phone = "+86 138 0013 8000"
        self.assertFalse(partner.rental_blacklist_match_id)

    def test_no_match_with_itself_or_unrelated(self):
        """Empty or different identifiers never match."""
        partner = self._newcomer(email="someone@example.com", phone="12")
        self.assertFalse(partner.rental_blacklist_match_id)
