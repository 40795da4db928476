# one hidden layer -- I build the two layers out of one generic `_layer`
# function with functools.partial, and chain the passes with a small pipeline.
from functools import partial

import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z < 0, e, 1.0) / (1.0 + e)


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1 - s)


def _layer(W, b, A_prev, g):
    Z = W @ A_prev + b
    return Z, g(Z)


def _grads_of_layer(dZ, A_prev):
    m = A_prev.shape[1]
    return dZ @ A_prev.T / m, np.sum(dZ, axis=1, keepdims=True) / m


tanh_layer = partial(_layer, g=np.tanh)
sigmoid_layer = partial(_layer, g=sigmoid)
HIDDEN = {"tanh": tanh_layer, "sigmoid": sigmoid_layer}
DERIVATIVE_FROM_A = {"tanh": lambda A: 1 - A ** 2, "sigmoid": lambda A: A * (1 - A)}


def layer_sizes(X, Y):
    return (X.shape[0], 4, Y.shape[0])


def initialize_parameters(n_x, n_h, n_y):
    return {"W1": np.random.randn(n_h, n_x) * 0.01, "b1": np.zeros((n_h, 1)),
            "W2": np.random.randn(n_y, n_h) * 0.01, "b2": np.zeros((n_y, 1))}


def forward_propagation(X, parameters, activation="tanh"):
    Z1, A1 = HIDDEN[activation](parameters["W1"], parameters["b1"], X)
    Z2, A2 = sigmoid_layer(parameters["W2"], parameters["b2"], A1)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    return float(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    dZ2 = cache["A2"] - Y
    dW2, db2 = _grads_of_layer(dZ2, cache["A1"])
    dZ1 = (parameters["W2"].T @ dZ2) * DERIVATIVE_FROM_A[activation](cache["A1"])
    dW1, db1 = _grads_of_layer(dZ1, X)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=1.2):
    return {k: v - learning_rate * grads["d" + k] for k, v in parameters.items()}


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh"):
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters, activation)
        parameters = update_parameters(parameters, backward_propagation(parameters, cache, X, Y, activation))
        if print_cost and i % 1000 == 0:
            print(i, compute_cost(A2, Y))
    return parameters


def predict(parameters, X, activation="tanh"):
    return (forward_propagation(X, parameters, activation)[0] > 0.5).astype(int)
