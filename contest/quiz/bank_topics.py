"""The topic tree of the question bank: finding, creating, renaming and moving topics.

Sibling topics have different names; a topic cannot move under itself or its sub-topics.
Creating, renaming and moving a topic records an audit event. Nothing here commits (see
:mod:`contest.quiz.bank_common`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import false, func, select

from contest import audit
from contest.extensions import db
from contest.problems import Problem
from contest.quiz.bank_common import MAX_TOPIC_NAME, BankError
from contest.quiz.items import split_topic
from contest.quiz.models import Question, Topic


def all_topics() -> list[Topic]:
    """Every topic, oldest first."""
    return list(db.session.execute(select(Topic).order_by(Topic.id)).scalars())


def _children_index(topics: Iterable[Topic]) -> dict[int | None, list[Topic]]:
    children: dict[int | None, list[Topic]] = defaultdict(list)
    for topic in topics:
        children[topic.parent_id].append(topic)
    for siblings in children.values():
        siblings.sort(key=lambda t: (t.name.casefold(), t.id))
    return children


def _check_topic_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise BankError(Problem("bank.topic_name_missing", "name"))
    if len(name) > MAX_TOPIC_NAME:
        raise BankError(Problem("bank.topic_name_too_long", "name", {"max": MAX_TOPIC_NAME}))
    return name


def _sibling(name: str, parent_id: int | None, exclude_id: int | None = None) -> Topic | None:
    query = select(Topic).where(Topic.name == name, Topic.parent_id.is_(None) if parent_id is None
                                else Topic.parent_id == parent_id)
    if exclude_id is not None:
        query = query.where(Topic.id != exclude_id)
    return db.session.execute(query.order_by(Topic.id).limit(1)).scalar_one_or_none()


def topic_by_path(path: Sequence[str]) -> Topic | None:
    """The topic at ``path`` (names from the root inwards), or None."""
    node: Topic | None = None
    for name in path:
        node = _sibling(" ".join(name.split()), node.id if node else None)
        if node is None:
            return None
    return node


def get_or_create_topic(path: Sequence[str]) -> Topic:
    """The topic at ``path``, creating the missing levels."""
    if not path:
        raise BankError(Problem("bank.topic_missing", "topic"))
    node: Topic | None = None
    for raw in path:
        name = _check_topic_name(raw)
        found = _sibling(name, node.id if node else None)
        if found is None:
            found = Topic(name=name, parent=node)
            db.session.add(found)
            db.session.flush()
        node = found
    assert node is not None
    return node


def find_topic(text: str) -> Topic | None:
    """A topic named by a path ``A/B`` (``//`` is a literal slash) or by a name used only once."""
    path = split_topic(text)
    if not path:
        return None
    found = topic_by_path(path)
    if found is None and len(path) == 1:
        matches = db.session.execute(
            select(Topic).where(Topic.name == path[0]).limit(2)).scalars().all()
        if len(matches) == 1:
            found = matches[0]
    return found


@dataclass
class TopicNode:
    """A topic in the tree listing: its depth and how many live questions it holds."""

    topic: Topic
    depth: int
    own: int
    total: int

    @property
    def label(self) -> str:
        return self.topic.path_label


def topic_tree() -> list[TopicNode]:
    """Every topic in depth-first order, with live question counts (own and with sub-topics)."""
    topics = all_topics()
    counts = dict(db.session.execute(
        select(Question.topic_id, func.count()).where(Question.retired == false())
        .group_by(Question.topic_id)).all())
    children = _children_index(topics)
    nodes: list[TopicNode] = []

    def visit(topic: Topic, depth: int, seen: frozenset[int]) -> int:
        node = TopicNode(topic, depth, counts.get(topic.id, 0), 0)
        nodes.append(node)
        total = node.own
        for child in children.get(topic.id, []):
            if child.id not in seen:
                total += visit(child, depth + 1, seen | {child.id})
        node.total = total
        return total

    for root in children.get(None, []):
        visit(root, 0, frozenset({root.id}))
    return nodes


def descendant_ids(topic_id: int) -> list[int]:
    """``topic_id`` and the ids of all topics below it."""
    children = _children_index(all_topics())
    found: list[int] = []
    stack = [topic_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.append(current)
        stack.extend(child.id for child in children.get(current, []))
    return found


def create_topic(name: str, parent: Topic | None = None, *,
                 actor_id: int | None = None) -> Topic:
    """Add a topic under ``parent`` (or at the top); sibling names must differ. Records
    ``topic.save`` by ``actor_id``."""
    name = _check_topic_name(name)
    if _sibling(name, parent.id if parent else None) is not None:
        raise BankError(Problem("bank.topic_exists", "name"))
    topic = Topic(name=name, parent=parent)
    db.session.add(topic)
    db.session.flush()
    audit.record(actor_id, "topic.save", "topic", topic.id, path=topic.path_label)
    return topic


def update_topic(topic: Topic, name: str, parent: Topic | None, *,
                 actor_id: int | None = None) -> Topic:
    """Rename ``topic`` and/or move it under ``parent`` (not under itself or its sub-topics).
    Records ``topic.save`` by ``actor_id``."""
    name = _check_topic_name(name)
    if parent is not None and parent.id in descendant_ids(topic.id):
        raise BankError(Problem("bank.topic_inside_itself", "parent_id"))
    if _sibling(name, parent.id if parent else None, exclude_id=topic.id) is not None:
        raise BankError(Problem("bank.topic_exists", "name"))
    topic.name = name
    topic.parent = parent
    db.session.flush()
    audit.record(actor_id, "topic.save", "topic", topic.id, path=topic.path_label)
    return topic

