import numpy as np


def sigmoid(z):
    return np.exp(-np.logaddexp(0, -z))


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1 - s)


def layer_sizes(X, Y):
    n_x = np.shape(X)[0]
    n_y = np.shape(Y)[0]
    return (n_x, 4, n_y)


def initialize_parameters(n_x, n_h, n_y):
    parameters = {}
    parameters["W1"] = np.random.randn(n_h, n_x) * 0.01
    parameters["b1"] = np.zeros(shape=(n_h, 1))
    parameters["W2"] = np.random.randn(n_y, n_h) * 0.01
    parameters["b2"] = np.zeros(shape=(n_y, 1))
    return parameters


def _hidden(Z1, activation):
    if activation == "sigmoid":
        return sigmoid(Z1)
    return np.tanh(Z1)


def forward_propagation(X, parameters, activation="tanh"):
    Z1 = np.dot(parameters["W1"], X) + parameters["b1"]
    A1 = _hidden(Z1, activation)
    Z2 = np.dot(parameters["W2"], A1) + parameters["b2"]
    A2 = sigmoid(Z2)
    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache


def compute_cost(A2, Y):
    m = Y.shape[1]
    cost = -1 / m * np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    return float(cost)


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    # I don't trust the cache (it got stale once when I re-ran cells out of order),
    # so I redo the forward pass here from the parameters.
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    Z1 = np.dot(W1, X) + b1
    A1 = _hidden(Z1, activation)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)

    m = X.shape[1]
    dZ2 = A2 - Y
    dW2 = np.dot(dZ2, A1.T) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    if activation == "sigmoid":
        dZ1 = np.dot(W2.T, dZ2) * sigmoid_derivative(Z1)
    else:
        dZ1 = np.dot(W2.T, dZ2) * (1 - np.tanh(Z1) ** 2)
    dW1 = np.dot(dZ1, X.T) / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=1.2):
    W1 = parameters["W1"] - learning_rate * grads["dW1"]
    b1 = parameters["b1"] - learning_rate * grads["db1"]
    W2 = parameters["W2"] - learning_rate * grads["dW2"]
    b2 = parameters["b2"] - learning_rate * grads["db2"]
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh"):
    np.random.seed(2)
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters, activation)
        grads = backward_propagation(parameters, cache, X, Y, activation)
        parameters = update_parameters(parameters, grads, 1.2)
        if print_cost and i % 1000 == 0:
            print("Cost after iteration %i: %f" % (i, compute_cost(A2, Y)))
    return parameters


def predict(parameters, X, activation="tanh"):
    A2, cache = forward_propagation(X, parameters, activation)
    predictions = np.round(A2).astype(int)
    return predictions
