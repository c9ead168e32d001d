"""Chat message bodies in each service's documented format, pure: no ORM.

Slack incoming webhooks take ``text`` (shown in notifications) and ``blocks`` (Block Kit):
https://api.slack.com/messaging/webhooks. Microsoft Teams (a Workflows "post to a channel when a
webhook request is received" flow, or a classic incoming webhook) takes a message with one
Adaptive Card attachment: https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    title: str
    text: str
    link_text: str
    url: str


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(message: Message) -> dict:
    return {
        "text": f"{message.title}: {message.text}",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*{_slack_escape(message.title)}*\n{_slack_escape(message.text)}",
                },
            },
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": message.link_text},
                        "url": message.url,
                    }
                ],
            },
        ],
    }


def teams_payload(message: Message) -> dict:
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {
                            "type": "TextBlock",
                            "text": message.title,
                            "weight": "Bolder",
                            "size": "Medium",
                            "wrap": True,
                        },
                        {"type": "TextBlock", "text": message.text, "wrap": True},
                    ],
                    "actions": [{"type": "Action.OpenUrl", "title": message.link_text, "url": message.url}],
                },
            }
        ],
    }


PAYLOADS = {"slack": slack_payload, "teams": teams_payload}
