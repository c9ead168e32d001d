from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development tools, the top floor beside the portal: the demo and the large data sets
    (``manage.py seed_demo``), the bulk loader they use, the bench (``manage.py bench``) and the
    load test (``make load``). It may import every app; no app imports it. It is not shipped in
    the wheel: a production install has no demo accounts to seed."""

    name = "devtools"
    verbose_name = "Development tools"
