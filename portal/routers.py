"""Database routing: one rule, that a model over a database view holds no data of its own."""


class ViewsHoldNoData:
    """Leaves models Django does not manage (database views, e.g. improvements.StageChange) out of
    dumpdata, loaddata and migrate, so a backup holds only the rows the views are computed from."""

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        model = hints.get("model")
        if model is not None and not model._meta.managed:
            return False
        return None
