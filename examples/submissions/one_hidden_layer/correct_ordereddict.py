from collections import OrderedDict

import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    return np.exp(np.minimum(z, 0)) / (1 + np.exp(-np.abs(z)))


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1 - s)


def layer_sizes(X, Y):
    return X.shape[0], 4, Y.shape[0]


def initialize_parameters(n_x, n_h, n_y):
    parameters = OrderedDict()
    parameters["W1"] = np.random.randn(n_h, n_x) * 0.01
    parameters["b1"] = np.zeros((n_h, 1))
    parameters["W2"] = np.random.randn(n_y, n_h) * 0.01
    parameters["b2"] = np.zeros((n_y, 1))
    return parameters


def forward_propagation(X, parameters, activation="tanh"):
    cache = OrderedDict()
    cache["Z1"] = np.dot(parameters["W1"], X) + parameters["b1"]
    cache["A1"] = np.tanh(cache["Z1"]) if activation == "tanh" else sigmoid(cache["Z1"])
    cache["Z2"] = np.dot(parameters["W2"], cache["A1"]) + parameters["b2"]
    cache["A2"] = sigmoid(cache["Z2"])
    return cache["A2"], cache


def compute_cost(A2, Y):
    m = Y.shape[1]
    return float(-np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m)


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    m = X.shape[1]
    A1 = cache["A1"]
    dZ2 = cache["A2"] - Y
    gp = 1 - A1 ** 2 if activation == "tanh" else A1 * (1 - A1)
    dZ1 = np.dot(parameters["W2"].T, dZ2) * gp
    grads = OrderedDict()
    grads["dW1"] = np.dot(dZ1, X.T) / m
    grads["db1"] = np.sum(dZ1, axis=1, keepdims=True) / m
    grads["dW2"] = np.dot(dZ2, A1.T) / m
    grads["db2"] = np.sum(dZ2, axis=1, keepdims=True) / m
    return grads


def update_parameters(parameters, grads, learning_rate=1.2):
    new = OrderedDict()
    for k in parameters:
        new[k] = parameters[k] - learning_rate * grads["d" + k]
    return new


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh"):
    n_x, _, n_y = layer_sizes(X, Y)
    p = initialize_parameters(n_x, n_h, n_y)
    for _ in range(num_iterations):
        A2, cache = forward_propagation(X, p, activation)
        p = update_parameters(p, backward_propagation(p, cache, X, Y, activation))
    return p


def predict(parameters, X, activation="tanh"):
    return (forward_propagation(X, parameters, activation)[0] > 0.5).astype(int)
