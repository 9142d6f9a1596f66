"""Problems of the message centre (站内消息) and office announcements (公告)."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class MessageNotFound(Problem):
    status = 404
    code = "message-not-found"
    title = "Message not found"
    text = "没有这条消息，或它不是发给您的。"


class AnnouncementNoRecipients(Problem):
    status = 409
    code = "announcement-no-recipients"
    title = "Announcement has no recipients"
    text = "本批次在您的管辖范围内还没有已提交的申报，公告没有可发送的对象。"
