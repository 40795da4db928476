"""Old and renamed signatures are accepted when the intent is clear, and said so."""

import inspect

import pytest

from autograder.run.signature import CannotCall, bind


def ref_params(func):
    return list(inspect.signature(func).parameters.values())


def student(*names, defaults=()):
    return [{"name": n, "kind": "POSITIONAL_OR_KEYWORD", "default": n in defaults} for n in names]


def backward(parameters, cache, X, Y, activation="tanh"):
    pass


def cost(A2, Y):
    pass


def test_exact_signature_binds_positionally():
    b = bind("backward", ref_params(backward), student("parameters", "cache", "X", "Y", "activation"),
             {"parameters": 1, "cache": 2, "X": 3, "Y": 4, "activation": "sigmoid"}, {})
    assert b.args == [1, 2, 3, 4, "sigmoid"] and not b.notes


def test_missing_activation_is_fine_for_the_default_only():
    sig = student("parameters", "cache", "X", "Y")
    b = bind("backward", ref_params(backward), sig,
             {"parameters": 1, "cache": 2, "X": 3, "Y": 4, "activation": "tanh"}, {})
    assert b.args == [1, 2, 3, 4]
    assert "no `activation` parameter" in b.notes[0]
    with pytest.raises(CannotCall, match="activation='sigmoid'"):
        bind("backward", ref_params(backward), sig,
             {"parameters": 1, "cache": 2, "X": 3, "Y": 4, "activation": "sigmoid"}, {})


def test_renamed_parameter_binds_by_position():
    b = bind("backward", ref_params(backward), student("params", "cache", "X", "Y", "activation"),
             {"parameters": 1, "cache": 2, "X": 3, "Y": 4, "activation": "tanh"}, {})
    assert b.args == [1, 2, 3, 4, "tanh"]
    assert "`params` was given `parameters`" in b.notes[0]


def test_extra_parameter_of_an_older_course_gets_the_case_value():
    b = bind("compute_cost", ref_params(cost), student("A2", "Y", "parameters"), {"A2": 1, "Y": 2},
             {"parameters": {"W1": 0}})
    assert b.args == [1, 2, {"W1": 0}]
    assert "extra parameter `parameters`" in b.notes[0]


def test_keyword_order_and_kwargs():
    b = bind("backward", ref_params(backward), student("X", "Y", "cache", "parameters", "activation"),
             {"parameters": 1, "cache": 2, "X": 3, "Y": 4, "activation": "tanh"}, {})
    assert b.args == [3, 4, 2, 1, "tanh"]
    star = [{"name": "args", "kind": "VAR_POSITIONAL", "default": False}]
    assert bind("cost", ref_params(cost), star, {"A2": 1, "Y": 2}, {}).args == [1, 2]
