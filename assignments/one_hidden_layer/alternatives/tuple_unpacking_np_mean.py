"""Correct: m from Y, np.mean everywhere, dW as a mean of outer products via np.mean over examples."""
import numpy as np


def sigmoid(z):
    return np.reciprocal(1 + np.exp(-np.clip(z, -700, 700)))


def sigmoid_derivative(z):
    a = sigmoid(z)
    return a * (1 - a)


def layer_sizes(X, Y):
    return (np.shape(X)[0], 4, np.shape(Y)[0])


def initialize_parameters(n_x, n_h, n_y):
    W1 = 0.01 * np.random.randn(n_h, n_x)
    b1 = np.zeros((n_h, 1))
    W2 = 0.01 * np.random.randn(n_y, n_h)
    b2 = np.zeros((n_y, 1))
    return dict(W1=W1, b1=b1, W2=W2, b2=b2)


def forward_propagation(X, parameters, activation="tanh"):
    W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
    Z1 = np.matmul(W1, X) + b1
    A1 = {"tanh": np.tanh, "sigmoid": sigmoid}[activation](Z1)
    Z2 = np.matmul(W2, A1) + b2
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    return float(np.mean(-Y * np.log(A2) - (1 - Y) * np.log(1 - A2)))


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dW2 = np.mean(dZ2[:, None, :] * A1[None, :, :], axis=2)
    db2 = dZ2.mean(axis=1, keepdims=True)
    if activation == "sigmoid":
        dZ1 = np.matmul(parameters["W2"].T, dZ2) * A1 * (1 - A1)
    else:
        dZ1 = np.matmul(parameters["W2"].T, dZ2) * (1 - np.tanh(cache["Z1"]) ** 2)
    dW1 = np.mean(dZ1[:, None, :] * X[None, :, :], axis=2)
    db1 = dZ1.mean(axis=1).reshape(dZ1.shape[0], 1)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=1.2):
    updated = {}
    for key in parameters:
        updated[key] = parameters[key] - learning_rate * grads["d" + key]
    return updated


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh"):
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)
    i = 0
    while i < num_iterations:
        A2, cache = forward_propagation(X, parameters, activation)
        parameters = update_parameters(parameters, backward_propagation(parameters, cache, X, Y, activation))
        i += 1
    return parameters


def predict(parameters, X, activation="tanh"):
    return (forward_propagation(X, parameters, activation)[0] >= 0.5) * 1
