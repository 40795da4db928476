"""Correct: small helpers per layer, loops over the two layers, float64 sums via np.add.reduce."""
import math

import numpy as np

ACTIVATIONS = {
    "tanh": (np.tanh, lambda a: 1.0 - a * a),
    "sigmoid": (None, lambda a: a * (1.0 - a)),
}


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def layer_sizes(X, Y):
    return (X.shape[0], 4, Y.shape[0])


def initialize_parameters(n_x, n_h, n_y):
    sizes = [n_x, n_h, n_y]
    params = {}
    for layer in (1, 2):
        params[f"W{layer}"] = np.random.randn(sizes[layer], sizes[layer - 1]) * 0.01
        params[f"b{layer}"] = np.zeros((sizes[layer], 1))
    return params


def linear(W, A, b):
    return np.dot(W, A) + b


def hidden_activation(Z, activation):
    return sigmoid(Z) if activation == "sigmoid" else ACTIVATIONS["tanh"][0](Z)


def forward_propagation(X, parameters, activation="tanh"):
    Z1 = linear(parameters["W1"], X, parameters["b1"])
    A1 = hidden_activation(Z1, activation)
    Z2 = linear(parameters["W2"], A1, parameters["b2"])
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2, "X": X}


def compute_cost(A2, Y):
    m = Y.shape[1]
    total = 0.0
    for a, y in zip(A2.ravel(), Y.ravel()):
        total -= y * math.log(a) + (1 - y) * math.log(1 - a)
    return total / m


def layer_gradients(dZ, A_prev):
    m = A_prev.shape[1]
    dW = np.dot(dZ, A_prev.T) / m
    db = np.add.reduce(dZ, axis=1, keepdims=True) / m
    return dW, db


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    dZ2 = cache["A2"] - Y
    dW2, db2 = layer_gradients(dZ2, cache["A1"])
    dA1 = np.dot(parameters["W2"].T, dZ2)
    dZ1 = dA1 * ACTIVATIONS[activation][1](cache["A1"])
    dW1, db1 = layer_gradients(dZ1, X)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2, "dZ1": dZ1, "dZ2": dZ2}


def update_parameters(parameters, grads, learning_rate=1.2):
    return {name: value - learning_rate * grads["d" + name] for name, value in parameters.items()}


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh"):
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters, activation)
        grads = backward_propagation(parameters, cache, X, Y, activation)
        parameters = update_parameters(parameters, grads)
        if print_cost and i % 1000 == 0:
            print("Cost after iteration %i: %f" % (i, compute_cost(A2, Y)))
    return parameters


def predict(parameters, X, activation="tanh"):
    A2, _ = forward_propagation(X, parameters, activation)
    return A2 > 0.5
