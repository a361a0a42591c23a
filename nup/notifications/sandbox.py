"""The sandbox officers' email wording runs in, with structural limits instead of a clock.

A template may not hang a worker or fill its memory, whatever an officer types:

- the source is at most MAX_SOURCE characters;
- every loop iteration, every call and every number `range` gives costs a step, and a
  rendering has MAX_STEPS of them (nested loops multiply, so they run out quickly);
- no value built while rendering (text, list, number) may exceed MAX_VALUE characters
  (numbers: MAX_INT_BITS bits), checked *before* a big one is made (`'x' * 10**9`,
  `10 ** 10 ** 10`, `range(10**9)`), and lists are measured with what they hold;
- everything written out, in macros and blocks too, counts towards MAX_OUTPUT;
- only plain filters and a few text methods can be used (no `center`, `format`, ...).

`render(source, context)` raises TemplateRefused with a message an officer can act on.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS
from jinja2.runtime import LoopContext, Macro, Undefined
from jinja2.sandbox import SandboxedEnvironment
from jinja2.visitor import NodeTransformer

MAX_SOURCE = 20_000
MAX_VALUE = 50_000
MAX_OUTPUT = 50_000
MAX_STEPS = 20_000
MAX_INT_BITS = 256

PLAIN_FILTERS = [
    "abs",
    "capitalize",
    "count",
    "d",
    "default",
    "dictsort",
    "e",
    "escape",
    "first",
    "float",
    "int",
    "last",
    "length",
    "list",
    "lower",
    "max",
    "min",
    "reverse",
    "round",
    "sort",
    "striptags",
    "sum",
    "title",
    "trim",
    "truncate",
    "unique",
    "upper",
    "wordcount",
]
STR_METHODS = frozenset(
    [
        "capitalize",
        "endswith",
        "isdigit",
        "lower",
        "lstrip",
        "rstrip",
        "split",
        "splitlines",
        "startswith",
        "strip",
        "swapcase",
        "title",
        "upper",
    ]
)
DICT_METHODS = frozenset({"get", "items", "keys", "values"})


class TemplateRefused(SecurityError):
    """The template asks for more than an email needs; the message says what."""

    def __init__(self, message):
        # Kept lazy: the email is rendered in its own language, but the refusal is read by the
        # officer, so it is translated when shown, in the officer's language.
        super().__init__(message)


@dataclass
class _Budget:
    steps: int = MAX_STEPS
    output: int = MAX_OUTPUT

    def step(self, count: int = 1) -> None:
        self.steps -= count
        if self.steps < 0:
            raise TemplateRefused(
                _l(
                    "This template does too much work (more than %(steps)d loop rounds and calls). "
                    "Use fewer or smaller loops.",
                    steps=MAX_STEPS,
                )
            )

    def write(self, size: int) -> None:
        self.output -= size
        if self.output < 0:
            raise TemplateRefused(_l("The email would be longer than %(chars)d characters.", chars=MAX_OUTPUT))


_budget: ContextVar[_Budget | None] = ContextVar("nup_template_budget", default=None)


def _current() -> _Budget:
    budget = _budget.get()
    if budget is None:  # rendered outside render(): give it a budget of its own
        budget = _Budget()
        _budget.set(budget)
    return budget


def _too_big() -> TemplateRefused:
    return TemplateRefused(_l("This template builds a value longer than %(chars)d characters.", chars=MAX_VALUE))


def text_size(value, limit: int = MAX_VALUE) -> int:
    """About how many characters `str(value)` has, counting what lists hold; stops once over `limit`."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, bool) or value is None:
        return 5
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            raise TemplateRefused(_l("This template computes a number too large to use."))
        return value.bit_length() // 3 + 2
    if isinstance(value, dict):
        items = [x for pair in value.items() for x in pair]
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
    else:
        return 32
    total = 2
    for item in items:
        total += 2 + text_size(item, limit - total)
        if total > limit:
            return total
    return total


def _check(value):
    if text_size(value) > MAX_VALUE:
        raise _too_big()
    return value


def _filter(name: str):
    plain = FILTERS[name]

    def checked(*args, **kwargs):
        return _check(plain(*args, **kwargs))

    for attribute in ("jinja_pass_arg",):
        if hasattr(plain, attribute):
            setattr(checked, attribute, getattr(plain, attribute))
    return checked


def _join(value, separator: str = "", attribute=None):
    if attribute is not None:
        raise TemplateRefused(_l("join(attribute=...) cannot be used in email wording."))
    parts, total = [], 0
    for item in value:
        piece = str(_check(item)) if not isinstance(item, str) else item
        total += len(piece) + len(separator)
        if total > MAX_VALUE:
            raise _too_big()
        parts.append(piece)
    return separator.join(parts)


def _replace(value, old, new, count=None):
    value, old, new = str(_check(value)), str(_check(old)), str(_check(new))
    occurrences = len(value) + 1 if old == "" else value.count(old)
    if count is not None:
        occurrences = min(occurrences, max(int(count), 0))
    if len(value) + occurrences * max(len(new) - len(old), 0) > MAX_VALUE:
        raise _too_big()
    return value.replace(old, new, -1 if count is None else int(count))


class _Limits(NodeTransformer):
    """Route loops, output, `~` and list/dict literals through the environment's checks."""

    @staticmethod
    def _via(name: str, args: list, lineno: int) -> nodes.Call:
        return nodes.Call(nodes.EnvironmentAttribute(name), args, [], None, None, lineno=lineno)

    def visit_For(self, node: nodes.For):
        self.generic_visit(node)
        node.iter = self._via("nup_iterate", [node.iter], node.lineno)
        return node

    def visit_Output(self, node: nodes.Output):
        self.generic_visit(node)
        node.nodes = [
            self._via(
                "nup_emit",
                [nodes.Const(child.data, lineno=child.lineno) if isinstance(child, nodes.TemplateData) else child],
                child.lineno,
            )
            for child in node.nodes
        ]
        return node

    def visit_Concat(self, node: nodes.Concat):
        self.generic_visit(node)
        return self._via("nup_concat", node.nodes, node.lineno)

    def _container(self, node):
        self.generic_visit(node)
        if getattr(node, "ctx", "load") != "load":
            return node
        return self._via("nup_value", [node], node.lineno)

    visit_List = visit_Dict = visit_Tuple = _container


class LimitedSandbox(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "+", "-", "%", "//", "/"})

    def __init__(self) -> None:
        super().__init__(autoescape=False)
        self.filters = {name: _filter(name) for name in PLAIN_FILTERS} | {"join": _join, "replace": _replace}
        self.globals = {"range": self.nup_range}

    # -- the parsed template gets the checks ------------------------------------------------
    def _parse(self, source, name, filename):
        if len(source) > MAX_SOURCE:
            raise TemplateRefused(_l("A template may have at most %(chars)d characters.", chars=MAX_SOURCE))
        return _Limits().visit(super()._parse(source, name, filename))

    # -- what the checked template calls ----------------------------------------------------
    def nup_range(self, *args):
        if not all(isinstance(a, int) for a in args):
            raise TemplateRefused(_l("range() takes whole numbers."))
        numbers = range(*args)
        try:
            count = len(numbers)
        except OverflowError:
            count = MAX_STEPS + 1
        if count > MAX_STEPS:
            raise TemplateRefused(_l("range() may give at most %(count)d numbers here.", count=MAX_STEPS))
        _current().step(count)
        return numbers

    def nup_iterate(self, iterable):
        budget = _current()
        for item in iterable:
            budget.step()
            yield item

    def nup_emit(self, value):
        if not isinstance(value, Undefined):
            _current().write(text_size(value, MAX_OUTPUT + 1))
        return value

    def nup_concat(self, *values):
        total = 0
        for value in values:
            total += text_size(value)
            if total > MAX_VALUE:
                raise _too_big()
        return "".join(str(value) for value in values)

    def nup_value(self, value):
        return _check(value)

    # -- the sandbox's own hooks ------------------------------------------------------------
    def is_safe_callable(self, obj) -> bool:
        if isinstance(obj, (Macro, LoopContext, Undefined)):
            return True
        owner, name = getattr(obj, "__self__", None), getattr(obj, "__name__", "")
        if owner is self:
            return name in {"nup_range", "nup_iterate", "nup_emit", "nup_concat", "nup_value"}
        if isinstance(owner, str):
            return name in STR_METHODS
        if isinstance(owner, dict):
            return name in DICT_METHODS
        if isinstance(owner, LoopContext):
            return name in {"cycle", "changed"}
        return False

    def call(__self, __context, __obj, *args, **kwargs):
        _current().step()
        if not __self.is_safe_callable(__obj):
            raise TemplateRefused(
                _l(
                    "This cannot be called in email wording: %(what)s",
                    what=getattr(__obj, "__name__", type(__obj).__name__)[:80],
                )
            )
        return _check(__context.call(__obj, *args, **kwargs))

    def call_binop(self, context, operator, left, right):
        numbers = isinstance(left, int) and isinstance(right, int)
        if operator == "**" and numbers and right > 0 and abs(left) > 1:
            if right * abs(left).bit_length() > MAX_INT_BITS:
                raise TemplateRefused(_l("This template computes a number too large to use."))
        elif operator == "*" and numbers:
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise TemplateRefused(_l("This template computes a number too large to use."))
        elif operator == "*" and (isinstance(left, int) or isinstance(right, int)):
            times, repeated = (left, right) if isinstance(left, int) else (right, left)
            if max(times, 0) * text_size(repeated) > MAX_VALUE:
                raise _too_big()
        elif operator == "%" and isinstance(left, str):
            raise TemplateRefused(_l("Write values in double braces, e.g. {{ name }}, instead of the percent sign."))
        elif operator == "+" and text_size(left) + text_size(right) > MAX_VALUE:
            raise _too_big()
        return _check(super().call_binop(context, operator, left, right))


SANDBOX = LimitedSandbox()


def check_source(source: str) -> None:
    """Refuse wording longer than MAX_SOURCE (the form says so before any rendering)."""
    if len(source or "") > MAX_SOURCE:
        raise TemplateRefused(_l("A template may have at most %(chars)d characters.", chars=MAX_SOURCE))


def render(source: str, context: dict) -> str:
    """Render an officer's wording within the limits, or raise TemplateRefused (or another TemplateError)."""
    check_source(source)
    token = _budget.set(_Budget())
    try:
        template = SANDBOX.from_string(source)
        return "".join(template.generate(**context))
    except RecursionError as error:
        raise TemplateRefused(_l("This template calls itself too deeply.")) from error
    finally:
        _budget.reset(token)
