"""Debug print of the whole cache in backward_propagation (left in by the student)."""
import math
import numpy as np


def _sigmoid_scalar(t):
    if t >= 0:
        return 1.0 / (1.0 + math.exp(-t))
    e = math.exp(t)
    return e / (1.0 + e)


def sigmoid(z):
    return np.vectorize(_sigmoid_scalar, otypes=[float])(z)


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1 - s)


def layer_sizes(X, Y):
    return (X.shape[0], 4, Y.shape[0])


def initialize_parameters(n_x, n_h, n_y):
    return {"W1": np.random.randn(n_h, n_x) * 0.01, "b1": np.zeros((n_h, 1)),
            "W2": np.random.randn(n_y, n_h) * 0.01, "b2": np.zeros((n_y, 1))}


def forward_propagation(X, parameters, activation="tanh"):
    Z1 = np.dot(parameters["W1"], X) + parameters["b1"]
    A1 = np.tanh(Z1) if activation == "tanh" else sigmoid(Z1)
    Z2 = np.dot(parameters["W2"], A1) + parameters["b2"]
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    m = Y.shape[1]
    return float(-np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m)


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    m = X.shape[1]
    print("cache:", cache)  # debugging the shapes
    A1 = cache["A1"]
    dZ2 = cache["A2"] - Y
    gp = 1 - A1 ** 2 if activation == "tanh" else A1 * (1 - A1)
    dZ1 = np.dot(parameters["W2"].T, dZ2) * gp
    return {"dW1": np.dot(dZ1, X.T) / m, "db1": np.sum(dZ1, axis=1, keepdims=True) / m,
            "dW2": np.dot(dZ2, A1.T) / m, "db2": np.sum(dZ2, axis=1, keepdims=True) / m}


def update_parameters(parameters, grads, learning_rate=1.2):
    return {k: parameters[k] - learning_rate * grads["d" + k] for k in parameters}


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh"):
    n_x, _, n_y = layer_sizes(X, Y)
    p = initialize_parameters(n_x, n_h, n_y)
    for _ in range(num_iterations):
        A2, cache = forward_propagation(X, p, activation)
        p = update_parameters(p, backward_propagation(p, cache, X, Y, activation))
    return p


def predict(parameters, X, activation="tanh"):
    return (forward_propagation(X, parameters, activation)[0] > 0.5).astype(int)
