import numpy as np

# I wrote all the products with einsum so I can see the indices explicitly.
# conventions: h = hidden unit, x = input feature, y = output unit, k = example


def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    return 0.5 * (1.0 + np.tanh(0.5 * z))   # same thing as 1/(1+e^-z), never overflows


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def layer_sizes(X, Y):
    n_x, n_y = X.shape[0], Y.shape[0]
    n_h = 4
    return (n_x, n_h, n_y)


def initialize_parameters(n_x, n_h, n_y):
    W1 = 0.01 * np.random.randn(n_h, n_x)
    W2 = 0.01 * np.random.randn(n_y, n_h)
    return {"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((n_y, 1))}


def forward_propagation(X, parameters, activation="tanh"):
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    Z1 = np.einsum("hx,xk->hk", W1, X) + b1
    A1 = np.tanh(Z1) if activation == "tanh" else sigmoid(Z1)
    Z2 = np.einsum("yh,hk->yk", W2, A1) + b2
    A2 = sigmoid(Z2)
    return A2, dict(Z1=Z1, A1=A1, Z2=Z2, A2=A2)


def compute_cost(A2, Y):
    m = Y.shape[1]
    J = -np.einsum("yk,yk->", Y, np.log(A2)) - np.einsum("yk,yk->", 1 - Y, np.log(1 - A2))
    return float(J / m)


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    m = X.shape[1]
    W2 = parameters["W2"]
    A1 = cache["A1"]
    A2 = cache["A2"]

    dZ2 = A2 - Y                                   # (y, k)
    dW2 = np.einsum("yk,hk->yh", dZ2, A1) / m      # (y, h)
    db2 = np.einsum("yk->y", dZ2)[:, None] / m     # (y, 1)

    dA1 = np.einsum("yh,yk->hk", W2, dZ2)          # W2^T dZ2
    if activation == "tanh":
        dZ1 = dA1 * (1 - A1 ** 2)
    else:
        dZ1 = dA1 * A1 * (1 - A1)
    dW1 = np.einsum("hk,xk->hx", dZ1, X) / m
    db1 = np.einsum("hk->h", dZ1)[:, None] / m

    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=1.2):
    new = dict()
    for name, value in parameters.items():
        new[name] = value - learning_rate * grads["d" + name]
    return new


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh"):
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters, activation=activation)
        grads = backward_propagation(parameters, cache, X, Y, activation=activation)
        parameters = update_parameters(parameters, grads, learning_rate=1.2)
        if print_cost and i % 1000 == 0:
            print(i, compute_cost(A2, Y))
    return parameters


def predict(parameters, X, activation="tanh"):
    A2, _ = forward_propagation(X, parameters, activation)
    # probability of class 1 for every example
    return A2
