import numpy as np


def sigmoid(z):
    """sigmoid function"""
    return 1 / (1 + np.exp(-z))


def sigmoid_derivative(z):
    """derivative of the sigmoid: sigma' = sigma(1 - sigma)"""
    return z * (1 - z)


def layer_sizes(X, Y):
    n_x = X.shape[0]
    n_h = 4
    n_y = Y.shape[0]
    return (n_x, n_h, n_y)


def initialize_parameters(n_x, n_h, n_y):
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def forward_propagation(X, parameters, activation="tanh"):
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    Z1 = np.dot(W1, X) + b1
    if activation == "tanh":
        A1 = np.tanh(Z1)
    else:
        A1 = sigmoid(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), 1 - Y)
    return float(-np.sum(logprobs) / m)


def hidden_derivative(cache, activation):
    """g'(Z1) for the hidden layer, reusing my sigmoid_derivative"""
    if activation == "sigmoid":
        return sigmoid_derivative(cache["Z1"])
    return 1 - np.power(cache["A1"], 2)


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    m = X.shape[1]
    W2 = parameters["W2"]
    A1 = cache["A1"]
    A2 = cache["A2"]
    dZ2 = A2 - Y
    dW2 = (1 / m) * np.dot(dZ2, A1.T)
    db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(W2.T, dZ2) * hidden_derivative(cache, activation)
    dW1 = (1 / m) * np.dot(dZ1, X.T)
    db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=1.2):
    return {k: parameters[k] - learning_rate * grads["d" + k] for k in ("W1", "b1", "W2", "b2")}


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
    return (A2 > 0.5).astype(int)
