"""Every table of the gateway, one module per aggregate.

Import tables from here (`from services.api.models import Declaration`): this
package imports no domain package, so any domain may use any table without a
cycle. Tables only (`table=True`); request and response shapes live in each
domain's `schemas.py`.
"""

from services.api.models.applicant import Applicant
from services.api.models.audit import AuditCheckpoint, AuditEntry
from services.api.models.auth import OAuthClient, RefreshToken, SignInEvent, StaffAccount
from services.api.models.calendar import WorkCalendar, WorkCalendarYear
from services.api.models.campaign import Campaign
from services.api.models.certificate import Certificate, CertificateSerial
from services.api.models.committee import (
    Ballot,
    BallotCast,
    CommitteeSession,
    CommitteeSetting,
    DefenceGrade,
    DefenceMark,
    DefenceMarkCast,
    DefenceSlot,
    Expert,
    PanelSeat,
    PointsAdjustment,
    SessionDeclaration,
)
from services.api.models.declaration import Declaration, DeclarationDocument, DeclarationSnapshot
from services.api.models.idempotency import IdempotencyRecord
from services.api.models.integrity import IntegrityRecord
from services.api.models.journal import DeclarationClaim, Journal, PaperFlag
from services.api.models.judgement import DeclarationJudgement
from services.api.models.message import Announcement, Message
from services.api.models.org import Org
from services.api.models.payment import PaymentOrder, PaymentRefund
from services.api.models.radar import EligibilitySubscription
from services.api.models.registry import RegistryLookup
from services.api.models.results import (
    Recheck,
    RecheckAdjustment,
    RecheckBallot,
    RecheckBallotCast,
    RecheckMark,
    RecheckMarkCast,
    ResultsObjection,
    ResultsPosting,
)
from services.api.models.review import DeclarationReturn, ReviewStep, UnitReview
from services.api.models.statistics import UnitFollowUp
from services.api.models.unit import OriginalCheck, PostingObjection, UnitMaterial, UnitPledge

__all__ = [
    "Announcement",
    "Applicant",
    "AuditCheckpoint",
    "AuditEntry",
    "Ballot",
    "BallotCast",
    "Campaign",
    "Certificate",
    "CertificateSerial",
    "CommitteeSession",
    "CommitteeSetting",
    "Declaration",
    "DeclarationClaim",
    "DeclarationDocument",
    "DeclarationJudgement",
    "DeclarationReturn",
    "DeclarationSnapshot",
    "DefenceGrade",
    "DefenceMark",
    "DefenceMarkCast",
    "DefenceSlot",
    "EligibilitySubscription",
    "Expert",
    "IdempotencyRecord",
    "IntegrityRecord",
    "Journal",
    "Message",
    "OAuthClient",
    "Org",
    "OriginalCheck",
    "PanelSeat",
    "PaperFlag",
    "PaymentOrder",
    "PaymentRefund",
    "PointsAdjustment",
    "PostingObjection",
    "Recheck",
    "RecheckAdjustment",
    "RecheckBallot",
    "RecheckBallotCast",
    "RecheckMark",
    "RecheckMarkCast",
    "RefreshToken",
    "RegistryLookup",
    "ResultsObjection",
    "ResultsPosting",
    "ReviewStep",
    "SessionDeclaration",
    "SignInEvent",
    "StaffAccount",
    "UnitFollowUp",
    "UnitMaterial",
    "UnitPledge",
    "UnitReview",
    "WorkCalendar",
    "WorkCalendarYear",
]
