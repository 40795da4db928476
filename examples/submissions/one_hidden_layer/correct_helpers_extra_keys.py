import numpy as np

# ---------- helpers ----------

def _activate(Z, kind):
    if kind == "tanh":
        return np.tanh(Z)
    if kind == "sigmoid":
        return sigmoid(Z)
    raise ValueError(kind)


def _activation_grad_from_output(A, kind):
    """derivative of the activation, written with the activation's OUTPUT A."""
    if kind == "tanh":
        return 1.0 - np.square(A)
    return A * (1.0 - A)


def _linear(W, A_prev, b):
    return np.dot(W, A_prev) + b


def _column_mean(M):
    return np.sum(M, axis=1, keepdims=True) / M.shape[1]


# ---------- graded functions ----------

def sigmoid(z):
    z = np.asarray(z, dtype=float)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def layer_sizes(X, Y):
    return (X.shape[0], 4, Y.shape[0])


def initialize_parameters(n_x, n_h, n_y):
    params = dict(
        W1=np.random.randn(n_h, n_x) * 0.01,
        b1=np.zeros((n_h, 1)),
        W2=np.random.randn(n_y, n_h) * 0.01,
        b2=np.zeros((n_y, 1)),
    )
    return params


def forward_propagation(X, parameters, activation="tanh"):
    Z1 = _linear(parameters["W1"], X, parameters["b1"])
    A1 = _activate(Z1, activation)
    Z2 = _linear(parameters["W2"], A1, parameters["b2"])
    A2 = sigmoid(Z2)
    # I also keep X and the activation name in the cache, handy for debugging
    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2, "X": X, "activation": activation}
    return A2, cache


def compute_cost(A2, Y):
    m = Y.shape[1]
    logprobs = np.multiply(Y, np.log(A2)) + np.multiply(1 - Y, np.log(1 - A2))
    return float(-np.sum(logprobs) / m)


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    W2 = parameters["W2"]

    dZ2 = A2 - Y
    dW2 = np.dot(dZ2, A1.T) / m
    db2 = _column_mean(dZ2)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = dA1 * _activation_grad_from_output(A1, activation)
    dW1 = np.dot(dZ1, X.T) / m
    db1 = _column_mean(dZ1)

    # extra entries so I can look at them in the notebook
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2,
            "dZ1": dZ1, "dZ2": dZ2, "dA1": dA1}


def update_parameters(parameters, grads, learning_rate=1.2):
    updated = {}
    for k in ("W1", "b1", "W2", "b2"):
        updated[k] = parameters[k] - learning_rate * grads["d" + k]
    updated["learning_rate"] = learning_rate
    return updated


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh"):
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)
    costs = []
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters, activation)
        if i % 100 == 0:
            costs.append(compute_cost(A2, Y))
        grads = backward_propagation(parameters, cache, X, Y, activation)
        parameters = update_parameters(parameters, grads)
        if print_cost and i % 1000 == 0:
            print("Cost after iteration {}: {}".format(i, costs[-1]))
    parameters["costs"] = costs
    return parameters


def predict(parameters, X, activation="tanh"):
    A2, _ = forward_propagation(X, parameters, activation)
    return (A2 > 0.5).astype(int)
