def uninstall_hook(env):
    """Drop the SQL functions the models create in ``init`` (the fast paths of the order
    check, the delivery lock and availability): they read columns that leave with the
    module."""
    env.cr.execute(
        """
        DROP FUNCTION IF EXISTS rental_risk_lock_suspects(integer[], timestamp, text, integer);
        DROP FUNCTION IF EXISTS rental_risk_current_facts(integer[], integer);
        DROP FUNCTION IF EXISTS rental_risk_available_lots(
            integer, integer, timestamp, timestamp, integer, text[]);
        """
    )
