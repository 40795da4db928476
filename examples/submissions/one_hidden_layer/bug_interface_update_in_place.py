import numpy as np
import copy


def sigmoid(z):
    z = np.clip(z, -500, 500)
    s = 1 / (1 + np.exp(-z))
    return s


def sigmoid_derivative(z):
    sig = sigmoid(z)
    return sig * (1 - sig)


def layer_sizes(X, Y):
    n_x = len(X)
    n_h = 4
    n_y = len(Y)
    return n_x, n_h, n_y


def initialize_parameters(n_x, n_h, n_y):
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def forward_propagation(X, parameters, activation="tanh"):
    W1 = parameters['W1']
    b1 = parameters['b1']
    W2 = parameters['W2']
    b2 = parameters['b2']

    Z1 = np.matmul(W1, X) + b1
    if activation == 'sigmoid':
        A1 = sigmoid(Z1)
    else:
        A1 = np.tanh(Z1)
    Z2 = np.matmul(W2, A1) + b2
    A2 = sigmoid(Z2)

    cache = {'Z1': Z1, 'A1': A1, 'Z2': Z2, 'A2': A2}
    return A2, cache


def compute_cost(A2, Y):
    m = Y.shape[1]
    total = 0.0
    # loop over the examples, one loss each
    for i in range(m):
        a = A2[0, i]
        y = Y[0, i]
        total += -(y * np.log(a) + (1 - y) * np.log(1 - a))
    return float(total / m)


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    m = X.shape[1]
    W2 = parameters['W2']
    A1 = cache['A1']
    A2 = cache['A2']

    dZ2 = A2 - Y
    dW2 = np.matmul(dZ2, A1.T) / m
    db2 = np.sum(dZ2, axis=1).reshape(-1, 1) / m

    dA1 = np.matmul(W2.T, dZ2)
    if activation == 'sigmoid':
        dZ1 = dA1 * A1 * (1 - A1)
    else:
        dZ1 = dA1 * (1 - A1 * A1)
    dW1 = np.matmul(dZ1, X.T) / m
    db1 = np.sum(dZ1, axis=1).reshape(-1, 1) / m

    grads = {'dW1': dW1, 'db1': db1, 'dW2': dW2, 'db2': db2}
    return grads


def update_parameters(parameters, grads, learning_rate=1.2):
    # in place, no need to copy big arrays around
    for l in [1, 2]:
        parameters['W' + str(l)] -= learning_rate * grads['dW' + str(l)]
        parameters['b' + str(l)] -= learning_rate * grads['db' + str(l)]
    return parameters


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh"):
    np.random.seed(3)
    n_x = X.shape[0]
    n_y = Y.shape[0]
    parameters = initialize_parameters(n_x, n_h, n_y)

    # plain loop, no helpers called for the update: I wanted to see every step
    i = 0
    while i < num_iterations:
        W1, b1, W2, b2 = parameters['W1'], parameters['b1'], parameters['W2'], parameters['b2']
        Z1 = np.matmul(W1, X) + b1
        A1 = np.tanh(Z1) if activation == 'tanh' else sigmoid(Z1)
        Z2 = np.matmul(W2, A1) + b2
        A2 = sigmoid(Z2)
        cache = {'Z1': Z1, 'A1': A1, 'Z2': Z2, 'A2': A2}

        grads = backward_propagation(parameters, cache, X, Y, activation)

        W1 = W1 - 1.2 * grads['dW1']
        b1 = b1 - 1.2 * grads['db1']
        W2 = W2 - 1.2 * grads['dW2']
        b2 = b2 - 1.2 * grads['db2']
        parameters = {'W1': W1, 'b1': b1, 'W2': W2, 'b2': b2}

        if print_cost and i % 1000 == 0:
            print('Cost after iteration %i: %f' % (i, compute_cost(A2, Y)))
        i += 1
    return parameters


def predict(parameters, X, activation="tanh"):
    A2, cache = forward_propagation(X, parameters, activation)
    predictions = np.zeros(A2.shape, dtype=int)
    for j in range(A2.shape[1]):
        if A2[0, j] > 0.5:
            predictions[0, j] = 1
    return predictions
