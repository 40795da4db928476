"""Correct: backward_propagation ignores most of the cache and recomputes the forward pass."""
import numpy as np


def sigmoid(z):
    return np.exp(-np.logaddexp(0, -np.asarray(z, dtype=float)))


def sigmoid_derivative(z):
    return sigmoid(z) * sigmoid(-z)


def layer_sizes(X, Y):
    return (len(X), 4, len(Y))


def initialize_parameters(n_x, n_h, n_y):
    parameters = {}
    parameters["W1"] = np.random.randn(n_h, n_x) * 0.01
    parameters["b1"] = np.zeros(shape=(n_h, 1))
    parameters["W2"] = np.random.randn(n_y, n_h) * 0.01
    parameters["b2"] = np.zeros(shape=(n_y, 1))
    return parameters


def _hidden(Z1, activation):
    return sigmoid(Z1) if activation == "sigmoid" else np.tanh(Z1)


def forward_propagation(X, parameters, activation="tanh"):
    Z1 = np.dot(parameters["W1"], X) + parameters["b1"]
    A1 = _hidden(Z1, activation)
    Z2 = np.dot(parameters["W2"], A1) + parameters["b2"]
    A2 = sigmoid(Z2)
    return A2, dict(Z1=Z1, A1=A1, Z2=Z2, A2=A2)


def compute_cost(A2, Y):
    m = Y.shape[1]
    return float(np.squeeze(-(np.dot(Y, np.log(A2).T) + np.dot(1 - Y, np.log(1 - A2).T)) / m))


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    m = Y.shape[1]
    Z1 = np.dot(parameters["W1"], X) + parameters["b1"]
    A1 = _hidden(Z1, activation)
    A2 = sigmoid(np.dot(parameters["W2"], A1) + parameters["b2"])
    dZ2 = A2 - Y
    if activation == "sigmoid":
        gprime = sigmoid_derivative(Z1)
    else:
        gprime = 1 / np.cosh(Z1) ** 2
    dZ1 = np.dot(parameters["W2"].T, dZ2) * gprime
    return {
        "dW1": np.dot(dZ1, X.T) / m,
        "db1": dZ1.sum(axis=1, keepdims=True) / m,
        "dW2": np.dot(dZ2, A1.T) / m,
        "db2": dZ2.sum(axis=1, keepdims=True) / m,
    }


def update_parameters(parameters, grads, learning_rate=1.2):
    W1 = parameters["W1"] - learning_rate * grads["dW1"]
    b1 = parameters["b1"] - learning_rate * grads["db1"]
    W2 = parameters["W2"] - learning_rate * grads["dW2"]
    b2 = parameters["b2"] - learning_rate * grads["db2"]
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh"):
    parameters = initialize_parameters(X.shape[0], n_h, Y.shape[0])
    for i in range(0, num_iterations):
        A2, cache = forward_propagation(X, parameters, activation=activation)
        grads = backward_propagation(parameters, cache, X, Y, activation=activation)
        parameters = update_parameters(parameters, grads)
    return parameters


def predict(parameters, X, activation="tanh"):
    A2, cache = forward_propagation(X, parameters, activation)
    return np.where(A2 > 0.5, 1, 0)
