"""Small, shape-aware edits of one function's code: the operators of the repair search.

One set of operators, two uses: the repair search (:mod:`autograder.diagnose.repair`)
applies them to a student's function to find the smallest edit that makes it right, and
mutation testing (:mod:`autograder.authoring.mutation`) applies them to the reference to
find what the hidden inputs cannot tell apart. Each operator is typed by the arrays in
scope and their shapes on a real call (``shapes``: name or ``name['key']`` -> shape, or
"number", as :func:`autograder.run.sandbox.trace.shapes_in` gives them), so that only
edits that can run are proposed: a transpose only of a matrix, a name only for another
of the same shape.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

Shape = tuple[int, ...]

# Operator kinds: a name for the change and why such a slip happens (the feedback's words
# when no catalogue entry names the edit).
KINDS: dict[str, tuple[str, str]] = {
    "add-transpose": ("a transpose is missing",
                      "A product's factors must line up: (a, b)·(b, c). Write down the shape of each factor; "
                      "the gradient of W has the shape of W."),
    "remove-transpose": ("a transpose is extra",
                         "A product's factors must line up: (a, b)·(b, c). Write down the shape of each factor; "
                         "the gradient of W has the shape of W."),
    "swap-operands": ("the operands are in the wrong order",
                      "A matrix product is not commutative, and A − B is not B − A: the order follows from "
                      "the chain rule."),
    "elementwise-for-matrix": ("`*` (elementwise) where the chain rule needs a matrix product",
                               "Propagating through a weight matrix sums over the units it connects: a matrix "
                               "product (np.dot, @). Only the activation's derivative is applied entry by entry."),
    "matrix-for-elementwise": ("a matrix product where an elementwise product belongs",
                               "The activation's derivative g′(Z) acts on each entry separately: multiply "
                               "elementwise (*), not with np.dot."),
    "remove-factor": ("a factor is extra",
                      "Each factor of a gradient comes from one link of the chain rule; this one comes from none."),
    "add-divisor": ("the division by the number of examples is missing",
                    "J = (1/m) Σ L is the mean over the m examples, so every gradient of J carries one 1/m."),
    "remove-divisor": ("a division is extra",
                       "Each division must come from the exercise's formula: the mean over the m examples "
                       "divides by m once (dZ is per example and has no 1/m), and data already scaled is not "
                       "scaled again."),
    "remove-term": ("a term is extra",
                    "Each term of a gradient comes from a term of the cost: one the exercise's cost does not "
                    "have (a regularisation term, λ/m · W) adds one the gradient should not have."),
    "every-nth": ("the iterations picked are off by one",
                  "range(n) counts i from 0: i % 100 == 0 picks iterations 0, 100, 200…; (i + 1) % 100 picks "
                  "99, 199…, one later each."),
    "loop-bound": ("the loop runs one step too few or too many",
                   "range(a, b) stops before b: write down which layers (or iterations) the loop must visit, "
                   "and check its first and last."),
    "replace-divisor": ("the wrong count divides here",
                        "m is the number of examples, the columns of X (X.shape[1]); X.shape[0] is the number "
                        "of features."),
    "precedence": ("a bracket is missing",
                   "Python divides and multiplies before it adds: a / b + c is (a / b) + c, so a sum in a "
                   "denominator needs its own brackets, a / (b + c)."),
    "size-for-m": ("the count of entries is used for the number of examples",
                   "A.size counts every entry of A (rows × columns) and len(A) its rows; the number of "
                   "examples m is its columns, A.shape[1]. They agree only when A has one row."),
    "shape-index": ("the wrong dimension is read",
                    "Examples are the columns: X.shape[1] is m, X.shape[0] the number of features."),
    "keepdims": ("keepdims is wrong",
                 "np.sum(…, axis=1) drops the summed axis; keepdims=True keeps the (n, 1) column shape."),
    "axis": ("the sum runs over the wrong axis",
             "The examples are the columns (axis=1); summing over axis=0 adds up the units instead."),
    "sign": ("a sign is wrong",
             "Check the sign of each term: d/da of −[y log a + (1 − y) log(1 − a)] is −y/a + (1 − y)/(1 − a)."),
    "wrong-array": ("one array is used where another of the same shape belongs",
                    "Arrays of the same shape are easy to swap and numpy cannot tell: follow the chain rule "
                    "to see which one each factor is (an activation A or a pre-activation Z, a gradient dA "
                    "or a cache)."),
    "swapped": ("two entries are stored under each other's names",
                "Each entry of the result has its own quantity: check which variable goes under which key."),
    "other-layer": ("one layer's array is used where another layer's belongs",
                    "Each layer takes the activation the layer before returned and hands its own on: write "
                    "down which layer each A, W and dA belongs to (their shapes differ with the layer sizes)."),
    "wrong-layer": ("the index is off by one layer",
                    "Layer l's gradient uses the cache of layer l, whose inputs are the activations of layer "
                    "l − 1: count the indices from the forward pass."),
    "derivative-form": ("the activation's derivative has the wrong form",
                        "tanh′(z) = 1 − tanh²(z) = 1 − A², σ′(z) = σ(z)(1 − σ(z)) = A(1 − A): written with A, "
                        "the activation, for the activation this layer uses."),
    "derivative-twice": ("the activation's derivative is applied twice",
                         "For the sigmoid output with the cross-entropy loss, dZ = A − Y already contains σ′: "
                         "(A − Y)/(A(1 − A)) · A(1 − A)."),
    "minus-one-over-m": ("the minus sign and the 1/m of the cost are missing",
                    "J = −(1/m) Σ [y log a + (1 − y) log(1 − a)]: the mean of the losses, each the negative "
                    "log-likelihood of its example."),
    "sum-mean": ("np.sum and np.mean are swapped",
                 "np.mean already divides by the count; np.sum does not."),
    "constant": ("a constant is wrong",
                 "Use the value the exercise gives (a threshold of 0.5, the learning rate the caller passes) "
                 "instead of a number written in."),
    "init-scale": ("the weights are scaled for the wrong initialisation",
                   "He/Xavier initialisation scales by the layer's fan-in, 1/√n[l−1] (or √(2/n[l−1])), not by "
                   "a fixed 0.01."),
    "complement": ("the log of the other outcome's probability",
                   "The cross-entropy has one term per outcome: y·log(a) for y = 1 and (1 − y)·log(1 − a) for "
                   "y = 0; each label goes with the log of its own probability."),
    "outside-call": ("a term is added outside the function it belongs in",
                     "The bias is part of Z = W·A + b, and the activation applies to the whole of Z: "
                     "sigmoid(W·A + b), not sigmoid(W·A) + b."),
    "wrong-key": ("the wrong entry is read",
                  "Each gradient belongs to its own parameter (dW to W, db to b): check the key of every "
                  "entry read or written."),
    "other-set": ("the other data set is used",
                  "The model is trained on the training set (X_train, Y_train) only; the test set measures "
                  "how well it does once trained."),
    "overwritten-argument": ("an argument is overwritten",
                             "The caller gives this value; unpacking a helper's result into the same name "
                             "replaces it. Unpack into another name (or _) to keep the argument."),
    "unpack-order": ("the values are unpacked in the wrong order",
                     "A tuple unpacks in the order it was packed: a cache made as (A_prev, W, b) gives A_prev "
                     "first, then W, then b."),
    "copy": ("the array given is changed in place",
             "`dZ = dA` copies nothing: both names are the same array, so setting entries of dZ changes the "
             "caller's dA too. Set the entries of a copy: dA.copy(), or np.array with copy=True."),
    "activation": ("an activation is applied where it does not belong, or is missing",
                   "Each layer applies its activation once, to Z, in the forward pass; the backward pass "
                   "uses its derivative."),
}

_ARRAY_FUNCS = {"dot", "matmul"}
_REDUCE = {"sum", "mean"}
_ACTIVATIONS = {"tanh", "sigmoid", "relu"}


@dataclass
class Edit:
    """One change: the node at ``index`` (in ``ast.walk`` order of the function) replaced."""

    kind: str
    index: int
    line: int  # in the function's own source, 1-based
    before: str
    after: str
    node: ast.AST = field(repr=False, compare=False)
    span: frozenset[int] = field(default=frozenset(), repr=False, compare=False)  # indices of the replaced subtree
    position: tuple[int, int, int, int] = (0, 0, 0, 0)  # line, column (UTF-8 bytes), end line, end column

    @property
    def name(self) -> str:
        return KINDS[self.kind][0]

    @property
    def why(self) -> str:
        return KINDS[self.kind][1]


# Bounds on the work the grading process does for one function (red team 7: a 300 KB file of
# long dict entries made 235,000 edits, 112 s and 2.5 GB outside the sandbox). The longest
# function in the examples and course fixtures has about 300 nodes.
MAX_NODES = 3000
MAX_EDITS = 4000


def edits(func: ast.FunctionDef, shapes: dict[str, Any], helpers: Sequence[str] = (),
          kinds: Collection[str] | None = None) -> list[Edit]:
    """Every single edit the operators propose for ``func``, typed by ``shapes``.

    ``helpers`` are the names of other functions in scope (an activation the student wrote);
    ``kinds``: only edits of these kinds (the others are not written out at all)."""
    nodes = list(ast.walk(func))
    if len(nodes) > MAX_NODES:  # no student's function is this long; a file made to be costs nothing
        return []
    index = {id(n): i for i, n in enumerate(nodes)}
    parents = {id(child): node for node in nodes for child in ast.iter_child_nodes(node)}
    scope = _Scope(func, shapes, helpers)
    scope.parents = parents
    found: list[Edit] = []
    seen: set[tuple[int, str]] = set()
    skip = {id(n) for n in ast.walk(func.args)} | {id(d) for dec in func.decorator_list for d in ast.walk(dec)}
    skip |= {id(n) for s in nodes if isinstance(s, ast.JoinedStr) for n in ast.walk(s)}  # f-strings: no positions
    for node in nodes:
        if id(node) in skip or not isinstance(node, ast.expr):
            continue
        parent = parents.get(id(node))
        if isinstance(getattr(node, "ctx", None), ast.Store):  # assigned: an argument unpacked over, an order
            proposals = _targets(node, parents, scope)
        elif isinstance(parent, ast.keyword) or _is_text(node) and node.value not in scope.prefixes:
            continue  # no operator edits text but a key's prefix
        else:
            proposals = _proposals(node, parent, scope)
        before, span = None, None
        for kind, new in proposals:
            if kinds is not None and kind not in kinds:
                continue
            before = before or ast.unparse(node)
            after = ast.unparse(new)
            if before == after or (index[id(node)], after) in seen:
                continue
            seen.add((index[id(node)], after))
            span = span or frozenset(index[id(n)] for n in ast.walk(node))
            position = (node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or 0)
            found.append(Edit(kind, index[id(node)], node.lineno, before, after, new, span, position))
            if len(found) >= MAX_EDITS:
                return found
    return found


def splice(source: str, chosen: Sequence[Edit]) -> str:
    """``source`` (the code ``func`` was parsed from) with the edits made as text: each
    replaced span becomes the new expression in parentheses, the rest of the student's code
    (and its line numbers) as it was. The edits must touch disjoint subtrees."""
    lines = source.splitlines(keepends=True)
    data = [line.encode() for line in lines]
    for edit in sorted(chosen, key=lambda e: e.position, reverse=True):
        line, col, end_line, end_col = edit.position
        head, tail = data[line - 1][:col], data[end_line - 1][end_col:]
        data[line - 1:end_line] = [head + f"({edit.after})".encode() + tail]
    return b"".join(data).decode()


def compatible(a: Edit, b: Edit) -> bool:
    """Whether two edits can be made together (neither inside what the other replaces)."""
    return a.index not in b.span and b.index not in a.span


# -- the operators -----------------------------------------------------------------------

class _Scope:
    def __init__(self, func: ast.FunctionDef, shapes: dict[str, Any], helpers: Sequence[str]) -> None:
        self.shapes = {k: (tuple(v) if isinstance(v, list) else v) for k, v in shapes.items()}
        self.params = [a.arg for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs)]
        self.helpers = set(helpers)
        self.parents: dict[int, ast.AST] = {}
        self._parsed: dict[str, ast.expr] = {}
        self._stems: dict[str, list[str]] | None = None
        self.numbers = [k for k, v in self.shapes.items() if v == "number" and "[" not in k]
        # (not a column, such as w: its shape[1] is 1, no count of examples — dividing by it divides by nothing)
        arrays = [k for k in self.params if isinstance(self.shapes.get(k), tuple) and len(self.shapes[k]) == 2
                  and self.shapes[k][1] > 1]
        counts = [k for k in self.numbers if k == "m"] or [f"{a}.shape[1]" for a in arrays[:1]]
        self.counts = counts
        # the text before a layer's number in a key made at run time ("dW" of grads["dW" + str(l)]),
        # with each parameter's gradient and each gradient's parameter (db where only b and dW are spelt)
        spelt = {n.slice.left.value for n in ast.walk(func) if isinstance(n, ast.Subscript)
                 and isinstance(n.slice, ast.BinOp) and isinstance(n.slice.op, ast.Add) and _is_text(n.slice.left)}
        self.prefixes = sorted(spelt | {p[1:] if p.startswith("d") else "d" + p for p in spelt if len(p) <= 3})
        self.by_shape: dict[Shape, list[str]] = {}
        for name, shape in sorted(self.shapes.items(), key=lambda kv: "[" in kv[0]):  # plain names first
            if isinstance(shape, tuple) and shape:
                self.by_shape.setdefault(shape, []).append(name)

    def expr(self, text: str) -> ast.expr:
        """A name (or ``name['key']``) in scope as an expression, parsed once."""
        if text not in self._parsed:
            self._parsed[text] = ast.parse(text, mode="eval").body
        return self._parsed[text]

    def family(self, text: str) -> list[str]:
        """Arrays in scope named like ``text`` but for another layer (W2 for W1, cache['A1'] for
        cache['A2'], A for A_prev)."""
        if self._stems is None:
            self._stems = {}
            for name, shape in self.shapes.items():
                if isinstance(shape, tuple):
                    self._stems.setdefault(_stem(name), []).append(name)
        return [n for n in self._stems.get(_stem(text), []) if n != text]

    def shape(self, node: ast.AST) -> Shape | str | None:
        """The shape of an expression, where it follows from the shapes in scope."""
        if isinstance(node, (ast.Name, ast.Subscript)):
            return self.shapes.get(ast.unparse(node))
        if isinstance(node, ast.Attribute) and node.attr == "T":
            inner = self.shape(node.value)
            return tuple(reversed(inner)) if isinstance(inner, tuple) else None
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return "number"
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult) or _is_call(node, _ARRAY_FUNCS):
            a, b = (node.left, node.right) if isinstance(node, ast.BinOp) else (node.args + [None, None])[:2]
            sa, sb = self.shape(a) if a else None, self.shape(b) if b else None
            if isinstance(sa, tuple) and isinstance(sb, tuple) and len(sa) == 2 and len(sb) == 2:
                return (sa[0], sb[1])
            return None
        if isinstance(node, ast.BinOp):
            sa, sb = self.shape(node.left), self.shape(node.right)
            if sa == "number":
                return sb
            if sb == "number":
                return sa
            if isinstance(sa, tuple) and isinstance(sb, tuple):
                try:
                    import numpy as np

                    return tuple(np.broadcast_shapes(sa, sb))
                except ValueError:
                    return None
        if isinstance(node, ast.UnaryOp):
            return self.shape(node.operand)
        if _is_call(node, {"multiply"}) and len(node.args) == 2:
            return self.shape(ast.BinOp(node.args[0], ast.Mult(), node.args[1]))
        return None


_SET = re.compile(r"(_?)(train|test|dev|val|valid|validation)$", re.IGNORECASE)  # X_train, X_test


def _stem_of_set(name: str) -> str:
    """A name without the data set it is of (X of X_train, X_test, X_dev)."""
    return _SET.sub("", name)


def _stem(name: str) -> str:
    """A name without its layer: digits, and a ``_prev``/``_next`` suffix (``A_prev`` is ``A``)."""
    return re.sub(r"\d+", "#", re.sub(r"_(?:prev|previous|next)$", "", name))


def _proposals(node: ast.expr, parent: ast.AST | None, scope: _Scope) -> Iterator[tuple[str, ast.expr]]:
    yield from _transpose(node, scope)
    yield from _products(node, scope)
    yield from _factors(node, parent, scope)
    yield from _reductions(node)
    yield from _signs(node, parent, scope)
    yield from _names(node, scope)
    yield from _swaps(node, scope)
    yield from _terms(node, scope)
    yield from _bounds(node, scope)
    yield from _derivatives(node, scope)
    yield from _constants(node, parent, scope)
    yield from _activations(node, parent, scope)
    yield from _precedence(node, scope)
    yield from _complements(node)
    yield from _keys(node, parent, scope)
    yield from _aliases(node, parent, scope)
    yield from _sets(node, scope)


def _precedence(node: ast.expr, scope: _Scope) -> Iterator[tuple[str, ast.expr]]:
    """a / b + c read as a / (b + c) (and a * b − c as a * (b − c)): the bracket a slip left out,
    as in 1 / 1 + np.exp(-z); and g(z) + b for g(z + b), an activation's bracket closed early."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub))):
        return
    inner = node.left
    if isinstance(inner, ast.BinOp) and isinstance(inner.op, (ast.Div, ast.Mult)):
        yield "precedence", ast.BinOp(inner.left, inner.op, ast.BinOp(inner.right, node.op, node.right))
    product = node.right  # c − a * b read as (c − a) * b, c the last term before it: 1 - Y * np.log(1 - A)
    if isinstance(product, ast.BinOp) and isinstance(product.op, ast.Mult):
        head, last = (inner.left, inner.right) if isinstance(inner, ast.BinOp) and isinstance(
            inner.op, (ast.Add, ast.Sub)) else (None, inner)
        if isinstance(last, (ast.Constant, ast.Name)):
            grouped = ast.BinOp(ast.BinOp(last, node.op, product.left), ast.Mult(), product.right)
            yield "precedence", grouped if head is None else ast.BinOp(head, inner.op, grouped)
    if (isinstance(inner, ast.Call) and len(inner.args) == 1 and not inner.keywords
            and _callee(inner) in _ACTIVATIONS | scope.helpers):
        yield "outside-call", ast.Call(inner.func, [ast.BinOp(inner.args[0], node.op, node.right)], [])


def _complements(node: ast.expr) -> Iterator[tuple[str, ast.expr]]:
    """log(a) for log(1 − a), or the reverse: a cost term with the other outcome's probability."""
    if _is_call(node, {"log"}) and len(node.args) == 1 and not node.keywords:
        lost = _one_minus(node.args[0])
        other = lost if lost is not None else ast.BinOp(ast.Constant(1), ast.Sub(), node.args[0])
        yield "complement", _call_like(node, [other])


def _sets(node: ast.expr, scope: _Scope) -> Iterator[tuple[str, ast.expr]]:
    """A call given one data set's arrays where another's belong, all its arguments of that set
    changed at once: optimize(w, b, X_test, Y_test) for optimize(w, b, X_train, Y_train)."""
    if not isinstance(node, ast.Call) or len(node.args) < 2:
        return
    given = {a.id: _SET.search(a.id) for a in node.args if isinstance(a, ast.Name) and a.id in scope.params}
    used = {m.group(2) for m in given.values() if m}
    if len(used) != 1 or sum(1 for m in given.values() if m) < 2:
        return
    others = {m.group(2) for p in scope.params if (m := _SET.search(p))} - used
    for other in sorted(others):
        renamed = {name: name[:m.start(2)] + other for name, m in given.items() if m}
        if all(new in scope.params for new in renamed.values()):
            args = [ast.Name(renamed[a.id], ast.Load()) if isinstance(a, ast.Name) and a.id in renamed else a
                    for a in node.args]
            yield "other-set", ast.Call(node.func, args, node.keywords)


def _targets(node: ast.expr, parents: dict[int, ast.AST], scope: _Scope) -> Iterator[tuple[str, ast.expr]]:
    """Edits of what a tuple is unpacked into: a parameter among the names (``n_x, n_h, n_y =
    layer_sizes(X, Y)`` in a function given n_h: the caller's value is lost), or two names in
    each other's place (``W, A_prev, b = cache`` for a cache packed as ``(A_prev, W, b)``)."""
    if not isinstance(parents.get(id(node)), ast.Assign):
        tuple_ = parents.get(id(node))
        if (isinstance(node, ast.Name) and node.id in scope.params and isinstance(tuple_, ast.Tuple)
                and isinstance(parents.get(id(tuple_)), ast.Assign)):
            yield "overwritten-argument", ast.Name("_", ast.Store())
        return
    names = node.elts if isinstance(node, ast.Tuple) else []
    if 2 <= len(names) <= 4 and all(isinstance(n, ast.Name) for n in names):
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                order = list(names)
                order[i], order[j] = names[j], names[i]
                yield "unpack-order", ast.Tuple(order, ast.Store())


def _aliases(node: ast.expr, parent: ast.AST | None, scope: _Scope) -> Iterator[tuple[str, ast.expr]]:
    """``dZ = dA`` for a copy of the array given: its entries set later change the caller's."""
    if (isinstance(node, ast.Name) and node.id in scope.params and isinstance(parent, ast.Assign)
            and parent.value is node and isinstance(scope.shapes.get(node.id), tuple)):
        yield "copy", ast.Call(ast.Attribute(node, "copy", ast.Load()), [], [])


def _keys(node: ast.expr, parent: ast.AST | None, scope: _Scope) -> Iterator[tuple[str, ast.expr]]:
    """Another prefix of the keys made at run time in this function: grads["dW" + str(l)] where
    grads["db" + str(l)] belongs."""
    if _is_text(node) and isinstance(parent, ast.BinOp) and parent.left is node:
        for other in scope.prefixes:
            if other != node.value:
                yield "wrong-key", ast.Constant(other)


def _transpose(node: ast.expr, scope: _Scope) -> Iterator[tuple[str, ast.expr]]:
    if isinstance(node, ast.Attribute) and node.attr == "T":
        yield "remove-transpose", node.value
    elif _is_call(node, {"transpose"}) and len(node.args) == 1:
        yield "remove-transpose", node.args[0]
    elif (isinstance(node, (ast.Name, ast.Subscript)) or _is_product(node)) and not _read_through(node, scope):
        shape = scope.shape(node)  # (a product transposed: its operands swapped and transposed)
        if isinstance(shape, tuple) and len(shape) == 2 and shape != (1, 1):
            yield "add-transpose", ast.Attribute(node, "T", ast.Load())


def _products(node: ast.expr, scope: _Scope) -> Iterator[tuple[str, ast.expr]]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        yield "swap-operands", ast.BinOp(node.right, ast.MatMult(), node.left)
        yield "matrix-for-elementwise", ast.BinOp(node.left, ast.Mult(), node.right)
    elif _is_call(node, _ARRAY_FUNCS) and len(node.args) == 2:
        a, b = node.args
        yield "swap-operands", _call_like(node, [b, a])
        yield "matrix-for-elementwise", ast.BinOp(a, ast.Mult(), b)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) or _is_call(node, {"multiply"}):
        a, b = (node.left, node.right) if isinstance(node, ast.BinOp) else (node.args + [None, None])[:2]
        if a is None or b is None:
            return
        sa, sb = scope.shape(a), scope.shape(b)
        if isinstance(sa, tuple) and isinstance(sb, tuple) and len(sa) == 2 and len(sb) == 2:
            yield "elementwise-for-matrix", _np_call("dot", [a, b])


def _is_builtin_len(node: ast.expr) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len"
            and len(node.args) == 1 and not node.keywords)


def _factors(node: ast.expr, parent: ast.AST | None, scope: _Scope) -> Iterator[tuple[str, ast.expr]]:
    if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape"
            and isinstance(node.slice, ast.Constant) and node.slice.value in (0, 1)):
        yield "shape-index", ast.Subscript(node.value, ast.Constant(1 - node.slice.value), ast.Load())
    counted = node.value if isinstance(node, ast.Attribute) and node.attr == "size" else \
        node.args[0] if _is_builtin_len(node) else None
    shape = scope.shape(counted) if isinstance(counted, ast.Name) else None
    if isinstance(shape, tuple) and len(shape) == 2:
        yield "size-for-m", ast.Subscript(ast.Attribute(counted, "shape", ast.Load()), ast.Constant(1), ast.Load())
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and not isinstance(node.left, ast.Constant):
        yield "remove-divisor", node.left
    if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Div) and parent.right is node:
        for count in scope.counts:
            new = scope.expr(count)
            if count != ast.unparse(node):
                yield "replace-divisor", new
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
        for rnd, other in ((node.left, node.right), (node.right, node.left)):
            if _is_call(rnd, {"randn"}) and len(rnd.args) == 2 and _scalar_factor(other):
                fan_in = rnd.args[1]
                yield "init-scale", ast.BinOp(rnd, ast.Div(), _np_call("sqrt", [fan_in]))
                yield "init-scale", ast.BinOp(rnd, ast.Mult(), _np_call(
                    "sqrt", [ast.BinOp(ast.Constant(2), ast.Div(), fan_in)]))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        for keep, drop in ((node.left, node.right), (node.right, node.left)):
            if _scalar_factor(drop):
                yield "remove-factor", keep
    if _computed_value(node, parent) and scope.shape(node) != "number":
        for count in scope.counts:
            divided = ast.BinOp(node, ast.Div(), scope.expr(count))
            yield "add-divisor", divided
            if scope.shape(node) is None:  # a cost: J = −(1/m) Σ …
                yield "minus-one-over-m", ast.UnaryOp(ast.USub(), divided)


def _reductions(node: ast.expr) -> Iterator[tuple[str, ast.expr]]:
    if not _is_call(node, _REDUCE):
        return
    func = node.func
    other = "mean" if func.attr == "sum" else "sum"
    yield "sum-mean", ast.Call(ast.Attribute(func.value, other, ast.Load()), node.args, node.keywords)
    kw = {k.arg: k for k in node.keywords}
    method = not (isinstance(func.value, ast.Name) and func.value.id in ("np", "numpy"))
    positional_axis = len(node.args) > (0 if method else 1)
    rest = [k for k in node.keywords if k.arg != "keepdims"]
    if "keepdims" in kw:
        yield "keepdims", ast.Call(func, node.args, rest)
    else:
        yield "keepdims", ast.Call(func, node.args, [*node.keywords, ast.keyword("keepdims", ast.Constant(True))])
    if "axis" in kw and isinstance(kw["axis"].value, ast.Constant) and kw["axis"].value.value in (0, 1):
        flipped = ast.keyword("axis", ast.Constant(1 - kw["axis"].value.value))
        yield "axis", ast.Call(func, node.args, [flipped if k.arg == "axis" else k for k in node.keywords])
        yield "axis", ast.Call(func, node.args, [k for k in node.keywords if k.arg not in ("axis", "keepdims")])
    elif not positional_axis and "axis" not in kw:
        yield "axis", ast.Call(func, node.args, [*rest, ast.keyword("axis", ast.Constant(1)),
                                                 ast.keyword("keepdims", ast.Constant(True))])


def _signs(node: ast.expr, parent: ast.AST | None, scope: _Scope) -> Iterator[tuple[str, ast.expr]]:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield "sign", node.operand
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
        yield "sign", ast.BinOp(node.left, op, node.right)
        if isinstance(node.op, ast.Sub) and not isinstance(node.left, ast.Constant):
            yield "swap-operands", ast.BinOp(node.right, ast.Sub(), node.left)
    if _computed_value(node, parent) and scope.shape(node) is not None and not isinstance(node, ast.UnaryOp):
        yield "sign", ast.UnaryOp(ast.USub(), node)


def _names(node: ast.expr, scope: _Scope) -> Iterator[tuple[str, ast.expr]]:
    if isinstance(node, (ast.Name, ast.Subscript)):
        shape = scope.shape(node)
        text = ast.unparse(node)
        if isinstance(shape, tuple) and shape:
            for other in scope.by_shape.get(shape, []):
                if other != text:
                    yield "wrong-array", scope.expr(other)
            for other in scope.family(text):  # W1 for W2, A_prev for A: the same name, another layer
                if scope.shapes.get(other) != shape:
                    yield "other-layer", scope.expr(other)
            if _SET.search(text) and len(shape) == 2:  # X_test given where X_train belongs
                for other in scope.shapes:
                    theirs = scope.shapes.get(other)
                    if (other != text and isinstance(theirs, tuple) and len(theirs) == 2 and theirs[0] == shape[0]
                            and theirs[1] != shape[1] and _stem_of_set(other) == _stem_of_set(text)):
                        yield "other-set", scope.expr(other)
    if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Constant):
        for new in _offsets(node.slice, scope):
            yield "wrong-layer", ast.Subscript(node.value, new, ast.Load())
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str" and len(node.args) == 1:
        for new in _offsets(node.args[0], scope):
            yield "wrong-layer", ast.Call(node.func, [new], [])


def _swaps(node: ast.expr, scope: _Scope) -> Iterator[tuple[str, ast.expr]]:
    """Two entries of a dict written out (``{…}`` or ``dict(k=v, …)``), of the same shape, each
    under the other's key (the cache's Z1 and A1): one edit, where two name edits would be needed."""
    values = _entry_values(node)
    if values is None or len(values) > 12:
        return
    shapes = [scope.shape(v) for v in values]
    for i in range(len(values)):
        for j in range(i + 1, len(values)):
            if isinstance(shapes[i], tuple) and shapes[i] and shapes[i] == shapes[j] \
                    and ast.dump(values[i]) != ast.dump(values[j]):
                swapped = list(values)
                swapped[i], swapped[j] = values[j], values[i]
                yield "swapped", _with_entries(node, swapped)


def _terms(node: ast.expr, scope: _Scope) -> Iterator[tuple[str, ast.expr]]:
    """A sum without one of its terms, when the other has the sum's shape (a regularisation
    term left in a gradient: + λ/m · W)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        whole = scope.shape(node)
        for keep, drop in ((node.left, node.right), (node.right, node.left)):
            # (a − b without a is −b: a sign, not a term; ± a constant is a bound or an offset)
            if ((keep is node.left or isinstance(node.op, ast.Add)) and not isinstance(drop, ast.Constant)
                    and not isinstance(keep, ast.Constant)):  # (1 + r·i without r·i: the division is the edit)
                if whole is None or scope.shape(keep) in (whole, "number", None):
                    yield "remove-term", keep


def _bounds(node: ast.expr, scope: _Scope) -> Iterator[tuple[str, ast.expr]]:
    """range() with its start or its stop one further or one nearer (a loop over the layers
    that stops a layer early); and a counter taken modulo one further or one nearer (every
    100th iteration counted from 1 instead of 0)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        for new in _offsets(node.left, scope):
            yield "every-nth", ast.BinOp(new, ast.Mod(), node.right)
        return
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range"
            and 1 <= len(node.args) <= 3 and not node.keywords):
        return
    for k in range(min(len(node.args), 2)):
        for bound in _one_off(node.args[k]):
            args = list(node.args)
            args[k] = bound
            yield "loop-bound", ast.Call(node.func, args, [])


def _one_off(value: ast.expr) -> Iterator[ast.expr]:
    if isinstance(value, ast.Constant) and isinstance(value.value, int) and not isinstance(value.value, bool):
        yield ast.Constant(value.value + 1)
        if value.value > 0:
            yield ast.Constant(value.value - 1)
        return
    if isinstance(value, ast.BinOp) and isinstance(value.right, ast.Constant) and value.right.value == 1 \
            and isinstance(value.op, (ast.Add, ast.Sub)):
        yield value.left  # L - 1 -> L, L + 1 -> L
    yield ast.BinOp(value, ast.Add(), ast.Constant(1))
    yield ast.BinOp(value, ast.Sub(), ast.Constant(1))


def _entry_values(node: ast.expr) -> list[ast.expr] | None:
    if isinstance(node, ast.Dict) and None not in node.keys:
        return list(node.values)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" and not node.args
            and all(k.arg for k in node.keywords)):
        return [k.value for k in node.keywords]
    return None


def _with_entries(node: ast.Dict | ast.Call, values: list[ast.expr]) -> ast.expr:
    if isinstance(node, ast.Dict):
        return ast.Dict(list(node.keys), values)
    return ast.Call(node.func, [], [ast.keyword(k.arg, v) for k, v in zip(node.keywords, values)])


def _offsets(index: ast.expr, scope: _Scope) -> Iterator[ast.expr]:
    """An integer index one lower or higher: ``l`` → ``l - 1``, ``l + 1`` → ``l``."""
    if isinstance(index, ast.Name) and scope.shapes.get(index.id) == "number":
        yield ast.BinOp(index, ast.Sub(), ast.Constant(1))
        yield ast.BinOp(index, ast.Add(), ast.Constant(1))
    elif (isinstance(index, ast.BinOp) and isinstance(index.op, (ast.Add, ast.Sub))
          and isinstance(index.right, ast.Constant) and type(index.right.value) is int):
        step = index.right.value if isinstance(index.op, ast.Add) else -index.right.value
        for delta in (step - 1, step + 1):
            if delta == 0:
                yield index.left
            else:
                yield ast.BinOp(index.left, ast.Add() if delta > 0 else ast.Sub(), ast.Constant(abs(delta)))


def _one_minus(node: ast.expr | None) -> ast.expr | None:
    """X of 1 − X."""
    if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) and isinstance(node.left, ast.Constant)
            and node.left.value == 1):
        return node.right
    return None


def _squared(node: ast.expr | None) -> ast.expr | None:
    """x of x ** 2, np.power(x, 2) or np.square(x)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant) \
            and node.right.value == 2:
        return node.left
    if _is_call(node, {"power"}) and len(node.args) == 2 and isinstance(node.args[1], ast.Constant) \
            and node.args[1].value == 2:
        return node.args[0]
    if _is_call(node, {"square"}) and len(node.args) == 1:
        return node.args[0]
    return None


def _derivatives(node: ast.expr, scope: _Scope) -> Iterator[tuple[str, ast.expr]]:
    tanh_of = _tanh_prime_of(node)
    sig_of = _sigmoid_prime_of(node)
    if tanh_of is not None:
        yield "derivative-form", _sigmoid_prime(tanh_of)
        if not _is_call(tanh_of, {"tanh"}):
            yield "derivative-form", _tanh_prime(_np_call("tanh", [tanh_of]))
    if sig_of is not None:
        yield "derivative-form", _tanh_prime(sig_of)
        if "sigmoid" in scope.helpers and not (isinstance(sig_of, ast.Call) and _callee(sig_of) == "sigmoid"):
            s = ast.Call(ast.Name("sigmoid", ast.Load()), [sig_of], [])
            yield "derivative-form", _sigmoid_prime(s)
    for lost in (_one_minus(node), _one_minus(_squared(node))):  # 1 − A: a square lost? (1 − A)²: misplaced?
        if lost is not None and isinstance(scope.shape(lost), tuple):
            yield "derivative-form", _tanh_prime(lost)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        factors = _mult_factors(node)
        if len(factors) >= 3:
            for i, a in enumerate(factors):
                for j, b in enumerate(factors):
                    if i != j and _is_one_minus(b, a):
                        rest = [f for k, f in enumerate(factors) if k not in (i, j)]
                        yield "derivative-twice", _product(rest)
        for i, f in enumerate(factors):
            if len(factors) >= 2 and (_sigmoid_prime_of(f) is not None or _tanh_prime_of(f) is not None):
                yield "derivative-twice", _product([g for k, g in enumerate(factors) if k != i])


def _constants(node: ast.expr, parent: ast.AST | None, scope: _Scope) -> Iterator[tuple[str, ast.expr]]:
    if isinstance(node, ast.Constant) and isinstance(parent, ast.Compare) and type(node.value) in (int, float) \
            and node.value != 0.5:  # a threshold
        yield "constant", ast.Constant(0.5)
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.comparators[0], ast.Constant):
        swap = {ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt}.get(type(node.ops[0]))
        if swap:
            yield "constant", ast.Compare(node.left, [swap()], node.comparators)
    if isinstance(node, ast.Constant) and type(node.value) is float and not isinstance(parent, ast.Compare):
        for name in scope.params:
            if scope.shapes.get(name) == "number":
                yield "constant", ast.Name(name, ast.Load())


def _activations(node: ast.expr, parent: ast.AST | None, scope: _Scope) -> Iterator[tuple[str, ast.expr]]:
    if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords and _callee(node) in _ACTIVATIONS:
        yield "activation", node.args[0]  # one too many
    if (_computed_value(node, parent) and isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)
            and _is_product(node.left)):  # W·A + b kept as it is: the activation is missing
        yield "activation", _np_call("tanh", [node])
        if "sigmoid" in scope.helpers:
            yield "activation", ast.Call(ast.Name("sigmoid", ast.Load()), [node], [])


# -- helpers -----------------------------------------------------------------------------

def _computed_value(node: ast.expr, parent: ast.AST | None) -> bool:
    """The whole value of an assignment or return that computes something (not a name passed
    on, ``np.squeeze(cost)``, a dict or tuple of results): where a missing factor or sign of
    the whole value is added."""
    if not (isinstance(parent, (ast.Assign, ast.Return)) and parent.value is node):
        return False
    if isinstance(node, (ast.Dict, ast.Tuple, ast.List, ast.Constant, ast.Name, ast.Subscript, ast.Attribute)):
        return False
    return not (isinstance(node, ast.Call) and all(isinstance(a, (ast.Name, ast.Constant)) for a in node.args))


def _callee(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _read_through(node: ast.expr, scope: _Scope) -> bool:
    """Whether a transpose added here would only be read through: ``X.shape``, or inside a
    result that is itself transposed (``np.log(AL).T``)."""
    parent = scope.parents.get(id(node))
    if isinstance(parent, ast.Attribute):
        return parent.attr in ("shape", "T", "size")
    if isinstance(parent, ast.Call) and _is_builtin_len(parent):  # len(X): a count (size-for-m), no product
        return True
    while isinstance(parent, ast.Call) and len(parent.args) == 1:
        parent = scope.parents.get(id(parent))
    return isinstance(parent, ast.Attribute) and parent.attr == "T"


def _is_product(node: ast.AST) -> bool:
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult) or _is_call(node, _ARRAY_FUNCS)


def _is_call(node: ast.AST, names: set[str]) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in names


def _call_like(node: ast.Call, args: list[ast.expr]) -> ast.Call:
    return ast.Call(node.func, args, node.keywords)


def _np_call(name: str, args: list[ast.expr]) -> ast.Call:
    return ast.Call(ast.Attribute(ast.Name("np", ast.Load()), name, ast.Load()), args, [])


def _scalar_factor(node: ast.expr) -> bool:
    """A number, ``1 / m``, ``1. / x.shape[1]``: a factor that only scales."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return True
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and isinstance(node.left, ast.Constant)


def _is_one_minus(node: ast.expr, of: ast.expr) -> bool:
    lost = _one_minus(node)
    return lost is not None and ast.dump(lost) == ast.dump(of)


def _tanh_prime_of(node: ast.expr) -> ast.expr | None:
    """X when ``node`` is 1 − X² (as X**2, np.power(X, 2), np.square(X) or X * X)."""
    sq = _one_minus(node)
    if sq is None:
        return None
    if isinstance(sq, ast.BinOp) and isinstance(sq.op, ast.Mult) and ast.dump(sq.left) == ast.dump(sq.right):
        return sq.left
    return _squared(sq)


def _sigmoid_prime_of(node: ast.expr) -> ast.expr | None:
    """X when ``node`` is X * (1 − X) (either order)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        if _is_one_minus(node.right, node.left):
            return node.left
        if _is_one_minus(node.left, node.right):
            return node.right
    return None


def _tanh_prime(x: ast.expr) -> ast.expr:
    return ast.BinOp(ast.Constant(1), ast.Sub(), ast.BinOp(x, ast.Pow(), ast.Constant(2)))


def _sigmoid_prime(x: ast.expr) -> ast.expr:
    return ast.BinOp(x, ast.Mult(), ast.BinOp(ast.Constant(1), ast.Sub(), x))


def _mult_factors(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _mult_factors(node.left) + _mult_factors(node.right)
    return [node]


def _product(factors: list[ast.expr]) -> ast.expr:
    if not factors:
        return ast.Constant(1)
    out = factors[0]
    for f in factors[1:]:
        out = ast.BinOp(out, ast.Mult(), f)
    return out


def _is_text(node: ast.expr) -> bool:
    """A string (a docstring, a dict key): no operator edits text."""
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _replace(parent: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for name, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, name, new)
            return
        if isinstance(value, list):
            for i, item in enumerate(value):
                if item is old:
                    value[i] = new
                    return
    raise ValueError("edit target not found")
