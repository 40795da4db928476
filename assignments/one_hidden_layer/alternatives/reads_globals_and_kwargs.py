"""Correct: learning rate and hidden size from module constants, keyword-only style calls."""
import numpy as np

N_H = 4
LEARNING_RATE = 1.2


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    return np.piecewise(z, [z >= 0, z < 0], [lambda t: 1 / (1 + np.exp(-t)), lambda t: np.exp(t) / (1 + np.exp(t))])


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1 - s)


def layer_sizes(X, Y):
    return (X.shape[0], N_H, Y.shape[0])


def initialize_parameters(n_x, n_h, n_y):
    return {
        "W1": np.random.randn(n_h, n_x) * 0.01,
        "b1": np.zeros((n_h, 1)),
        "W2": np.random.randn(n_y, n_h) * 0.01,
        "b2": np.zeros((n_y, 1)),
    }


def forward_propagation(X, parameters, activation="tanh"):
    Z1 = np.dot(parameters["W1"], X) + parameters["b1"]
    A1 = np.tanh(Z1) if activation != "sigmoid" else sigmoid(Z1)
    Z2 = np.dot(parameters["W2"], A1) + parameters["b2"]
    return sigmoid(Z2), {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": sigmoid(Z2)}


def compute_cost(A2, Y):
    m = Y.shape[1]
    cost = -np.sum(np.log(np.where(Y == 1, A2, 1 - A2))) / m
    return float(cost)


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    m = X.shape[1]
    A1 = cache["A1"]
    dZ2 = cache["A2"] - Y
    grads = {}
    grads["dW2"] = np.dot(dZ2, A1.T) * (1 / m)
    grads["db2"] = np.sum(dZ2, axis=1, keepdims=True) * (1 / m)
    if activation == "sigmoid":
        dZ1 = np.dot(parameters["W2"].T, dZ2) * sigmoid_derivative(cache["Z1"])
    else:
        dZ1 = np.dot(parameters["W2"].T, dZ2) * (1 - A1 ** 2)
    grads["dW1"] = np.dot(dZ1, X.T) * (1 / m)
    grads["db1"] = np.sum(dZ1, axis=1, keepdims=True) * (1 / m)
    return grads


def update_parameters(parameters, grads, learning_rate=LEARNING_RATE):
    return {k: v - learning_rate * grads["d" + k] for k, v in parameters.items()}


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh"):
    parameters = initialize_parameters(layer_sizes(X, Y)[0], n_h, layer_sizes(X, Y)[2])
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters, activation=activation)
        grads = backward_propagation(parameters, cache, X, Y, activation=activation)
        parameters = update_parameters(parameters, grads, learning_rate=LEARNING_RATE)
        if print_cost and i % 1000 == 0:
            print(i, compute_cost(A2, Y))
    return parameters


def predict(parameters, X, activation="tanh"):
    A2, _ = forward_propagation(X, parameters, activation)
    return (A2 > 0.5).astype(int)
