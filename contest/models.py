"""Imports every model module so that ``db.metadata`` knows all tables."""

from contest import audit  # noqa: F401
from contest.accounts import models as accounts_models  # noqa: F401
from contest.campaign import models as campaign_models  # noqa: F401
from contest.certificates import models as certificates_models  # noqa: F401
from contest.judging import models as judging_models  # noqa: F401
from contest.outbox import models as outbox_models  # noqa: F401
from contest.quiz import models as quiz_models  # noqa: F401
from contest.reports import models as reports_models  # noqa: F401
from contest.writing import models as writing_models  # noqa: F401
