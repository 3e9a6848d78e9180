"""The report tests build from the same approved sample fund as the web tests."""

from tests.api.conftest import demo_template, unapproved_template

__all__ = ["demo_template", "unapproved_template"]
