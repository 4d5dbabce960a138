"""Every export channel, by name, in the order ``digest export --help`` and ``digest serve`` list
them. A new export is a module with a ``CHANNEL`` (:class:`~digest.exports.registry.ExportChannel`)
and one more entry here."""

from __future__ import annotations

from digest.exports import email, markdown, wechat, zhihu
from digest.exports.registry import ExportChannel

EXPORTS: dict[str, ExportChannel] = {channel.name: channel for channel in (
    markdown.CHANNEL,
    zhihu.CHANNEL,
    wechat.CHANNEL,
    email.CHANNEL,
)}
