def uninstall_hook(env):
    """Drop the SQL functions the models create in ``init`` (the fast paths of the order
    check and the delivery lock): they read columns that leave with the module."""
    env.cr.execute(
        """
        DROP FUNCTION IF EXISTS rental_risk_lock_suspects(integer[], timestamp, text, integer);
        DROP FUNCTION IF EXISTS rental_risk_current_facts(integer[], integer);
        """
    )
