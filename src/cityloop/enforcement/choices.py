"""Choices of the enforcement app (行政执法办案). Stored values never change once shipped."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ClueSource(models.TextChoices):
    """Where a clue (线索) came from."""

    CASE = "case", _("Closed-loop case (referred)")  # 移送执法
    EVIDENCE = "evidence", _("Sealed waste evidence package")
    PATROL = "patrol", _("Officer's patrol")  # 巡查发现
    COMPLAINT = "complaint", _("Complaint or report")  # 投诉举报
    TRANSFER = "transfer", _("Transfer from another department")  # 部门移送


class Procedure(models.TextChoices):
    SIMPLE = "simple", _("Simple procedure (on the spot)")  # 简易程序
    ORDINARY = "ordinary", _("Ordinary procedure")  # 普通程序


class EnforcementState(models.TextChoices):
    """Where an enforcement case is, from clue to archive (《行政处罚法》 2021)."""

    REGISTERED = "registered", pgettext_lazy("enforcement state", "Clue registered")  # 线索登记
    FILING = "filing", pgettext_lazy("enforcement state", "Awaiting filing approval")  # 立案审批
    NOT_FILED = "not_filed", pgettext_lazy("enforcement state", "Not filed")  # 不予立案
    TRANSFERRED = "transferred", pgettext_lazy("enforcement state", "Transferred")  # 移送
    INVESTIGATING = "investigating", pgettext_lazy("enforcement state", "Investigating")  # 调查取证
    CASE_REVIEW = "case_review", pgettext_lazy("enforcement state", "Case review")  # 案件审查
    LEGAL_REVIEW = "legal_review", pgettext_lazy("enforcement state", "Legal review")  # 法制审核
    REVIEWED = "reviewed", pgettext_lazy("enforcement state", "Reviewed, awaiting notice")
    NOTICE = "notice", pgettext_lazy("enforcement state", "Party notified")  # 事先告知
    HEARING = "hearing", pgettext_lazy("enforcement state", "Hearing")  # 听证
    DECIDING = "deciding", pgettext_lazy("enforcement state", "Awaiting decision")  # 待决定
    DECIDED = "decided", pgettext_lazy("enforcement state", "Decided, awaiting service")  # 决定
    EXECUTION = "execution", pgettext_lazy("enforcement state", "Served, in execution")  # 执行
    COMPULSORY = (
        "compulsory",
        pgettext_lazy("enforcement state", "Compulsory execution"),
    )  # 强制执行
    CLOSED = "closed", pgettext_lazy("enforcement state", "Closed")  # 结案
    ARCHIVED = "archived", pgettext_lazy("enforcement state", "Archived")  # 归档


S = EnforcementState
CLUE_STATES = frozenset({S.REGISTERED, S.FILING})
ENDED_STATES = frozenset({S.NOT_FILED, S.TRANSFERRED, S.CLOSED, S.ARCHIVED})
# A case counts as an enforcement case (办理行政执法案件) once filed or decided on the spot.
CASE_STATES = frozenset(set(S.values) - {S.REGISTERED, S.FILING, S.NOT_FILED, S.TRANSFERRED})
OPEN_CASE_STATES = frozenset(CASE_STATES - {S.CLOSED, S.ARCHIVED})


class PartyKind(models.TextChoices):
    PERSON = "person", _("Person")  # 公民
    ORGANISATION = "organisation", _("Organisation")  # 法人或其他组织


class Target(models.TextChoices):
    """Whom a violation's rule addresses (the reference's target column)."""

    PERSON = "person", _("Individual")  # 个人
    UNIT = "unit", _("Unit")  # 单位
    MANAGER = "manager", _("Sorting manager (property etc.)")  # 管理人
    COLLECTOR = "collector", _("Collection and transport unit")  # 收运单位
    PROCESSOR = "processor", _("Processing unit")  # 处理单位
    OPERATOR = "operator", _("Operator (shared bikes)")  # 运营企业
    ANY = "any", _("Individual or unit")


class Category(models.TextChoices):
    """The seed's enforcement categories (the figures count by these)."""

    GARBAGE = "garbage", _("Garbage sorting")  # 垃圾分类
    SHARED_BIKES = "shared_bikes", _("Shared bikes")  # 共享单车
    VENDING = "vending", _("Street vending")  # 乱摆卖
    OUT_OF_STORE = "out_of_store", _("Business beyond the shop line")  # 超门线经营
    PILING = "piling", _("Piling")  # 乱堆放
    POSTING = "posting", _("Littering, scrawling, posting")  # “三乱”
    ADS = "ads", _("Outdoor ads and signage")  # 户外广告招牌
    GREENING = "greening", _("Greening")  # 绿化
    DOGS = "dogs", _("Dogs")  # 养犬
    OTHER = "other", _("Other")


class Tier(models.TextChoices):
    """裁量基准 tiers."""

    MINOR = "minor", _("Minor")  # 轻微
    GENERAL = "general", _("General")  # 一般
    HEAVIER = "heavier", _("Heavier")  # 较重
    SERIOUS = "serious", _("Serious")  # 严重


SERIOUS_TIERS = frozenset({Tier.HEAVIER, Tier.SERIOUS})


class Outcome(models.TextChoices):
    """A decision after investigation (第五十七条)."""

    PENALTY = "penalty", _("Penalty")  # 给予行政处罚
    NO_PENALTY_MINOR = "no_penalty_minor", _("No penalty: minor and corrected")  # 不予处罚（轻微）
    NO_PENALTY_UNFOUNDED = "no_penalty_unfounded", _("No penalty: facts not established")
    JUDICIAL = "judicial", _("Transferred to the judicial organs")  # 移送司法机关


class PenaltyKind(models.TextChoices):
    """Kinds of penalty (第九条) a catalogue entry allows."""

    WARNING = "warning", _("Warning")  # 警告
    FINE = "fine", _("Fine")  # 罚款
    CONFISCATION = "confiscation", _("Confiscation")  # 没收违法所得、非法财物
    SUSPENSION = "suspension", _("Suspension of business")  # 责令停产停业


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo or video")  # 照片、视频
    DEVICE_RECORD = "device_record", _("Device record")  # 设备记录（电子数据）
    INTERVIEW = "interview", _("Interview record")  # 询问笔录
    INSPECTION = "inspection", _("On-site inspection record")  # 现场检查笔录
    PRESERVATION = "preservation", _("Registered preservation")  # 先行登记保存
    DOCUMENT = "document", _("Documentary evidence")  # 书证
    OTHER = "other", _("Other")


class ServiceMethod(models.TextChoices):
    """How a decision is served (第六十一条; 民事诉讼法's methods)."""

    IN_PERSON = "in_person", _("Handed over in person")  # 直接送达
    LEFT = "left", _("Left at the address")  # 留置送达
    POST = "post", _("By post")  # 邮寄送达
    ELECTRONIC = "electronic", _("Electronically, with written consent")  # 电子送达
    ANNOUNCEMENT = "announcement", _("By public announcement")  # 公告送达


class ClockKind(models.TextChoices):
    """The statutory clocks of a case; each is its own stored, indexed deadline."""

    FILING = "filing", _("Filing (bureau's rule)")  # 立案（部门规定）
    DECISION = "decision", _("Decision within 90 days of filing")  # 第六十条
    PRESERVATION = "preservation", _("Preservation decided within 7 working days")  # 第五十六条
    STATEMENT = "statement", _("Statement and hearing request: 5 working days")  # 第六十四条
    SERVICE = "service", _("Service within 7 working days")  # 第六十一条
    PAYMENT = "payment", _("Payment within 15 days")  # 第六十七条
    HANDOVER = "handover", _("Cash handed in within 2 working days")  # 第七十一条
    REMINDER = "reminder", _("10 days after the reminder")  # 行政强制法第五十四条
    COURT = "court", _("Court application within 3 months")  # 行政强制法第五十三条


class ClockState(models.TextChoices):
    RUNNING = "running", pgettext_lazy("clock", "Running")
    WARNING = "warning", pgettext_lazy("clock", "Due soon")
    OVERDUE = "overdue", pgettext_lazy("clock", "Overdue")
    STOPPED = "stopped", pgettext_lazy("clock", "Stopped")


class PaymentKind(models.TextChoices):
    DEFERRAL = "deferral", _("Deferral")  # 暂缓缴纳
    INSTALMENTS = "instalments", _("Instalments")  # 分期缴纳


class NotFiledReason(models.TextChoices):
    NO_VIOLATION = "no_violation", _("No violation")  # 违法事实不成立
    EXPIRED = "expired", _("Limitation expired")  # 超过追责时效
    NOT_OURS = "not_ours", _("Not within our competence")  # 不属于本机关管辖
    MINOR = "minor", _("Minor and corrected")  # 轻微并及时改正
    OTHER = "other", _("Other")
