"""Correct: the averaging written as explicit 1./m factors and per-example accumulation for db."""
import numpy as np


def sigmoid(x):
    x = np.array(x, dtype=np.float64)
    return np.where(x < 0, np.exp(np.minimum(x, 0)) / (1 + np.exp(np.minimum(x, 0))), 1 / (1 + np.exp(-np.maximum(x, 0))))


def sigmoid_derivative(x):
    sig = sigmoid(x)
    return sig * (1 - sig)


def layer_sizes(X, Y):
    n_x, n_h, n_y = X.shape[0], 4, Y.shape[0]
    return n_x, n_h, n_y


def initialize_parameters(n_x, n_h, n_y):
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def forward_propagation(X, parameters, activation="tanh"):
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    Z1 = W1.dot(X) + b1
    if activation == "tanh":
        A1 = np.tanh(Z1)
    elif activation == "sigmoid":
        A1 = sigmoid(Z1)
    else:
        raise ValueError(activation)
    Z2 = W2.dot(A1) + b2
    A2 = sigmoid(Z2)
    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache


def compute_cost(A2, Y):
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), 1 - Y)
    cost = -1.0 / m * np.sum(logprobs)
    return float(cost)


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    m = X.shape[1]
    A1 = cache["A1"]
    A2 = cache["A2"]
    W2 = parameters["W2"]
    dZ2 = A2 - Y
    dW2 = 1.0 / m * dZ2.dot(A1.T)
    db2 = np.zeros((dZ2.shape[0], 1))
    for k in range(m):
        db2 += dZ2[:, k:k + 1]
    db2 = 1.0 / m * db2
    if activation == "tanh":
        dZ1 = np.multiply(W2.T.dot(dZ2), 1 - np.power(A1, 2))
    else:
        dZ1 = np.multiply(W2.T.dot(dZ2), np.multiply(A1, 1 - A1))
    dW1 = 1.0 / m * dZ1.dot(X.T)
    db1 = np.zeros((dZ1.shape[0], 1))
    for k in range(m):
        db1 += dZ1[:, k:k + 1]
    db1 = 1.0 / m * db1
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=1.2):
    W1 = parameters["W1"].copy()
    b1 = parameters["b1"].copy()
    W2 = parameters["W2"].copy()
    b2 = parameters["b2"].copy()
    W1 -= learning_rate * grads["dW1"]
    b1 -= learning_rate * grads["db1"]
    W2 -= learning_rate * grads["dW2"]
    b2 -= learning_rate * grads["db2"]
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh"):
    np.random.seed(3)
    n_x = layer_sizes(X, Y)[0]
    n_y = layer_sizes(X, Y)[2]
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters, activation)
        cost = compute_cost(A2, Y)
        grads = backward_propagation(parameters, cache, X, Y, activation)
        parameters = update_parameters(parameters, grads, learning_rate=1.2)
        if print_cost and i % 1000 == 0:
            print(f"Cost after iteration {i}: {cost}")
    return parameters


def predict(parameters, X, activation="tanh"):
    A2, cache = forward_propagation(X, parameters, activation)
    predictions = A2 > 0.5
    return predictions.astype(float)
