import numpy as np

## --- week 3 assignment, tanh hidden layer ---


def sigmoid(z):
    with np.errstate(over='ignore'):
        return 1. / (1. + np.exp(-z))


def sigmoid_derivative(z):
    return sigmoid(z) * (1. - sigmoid(z))


def layer_sizes(X, Y):
    return X.shape[0], 4, Y.shape[0]


def initialize_parameters(n_x, n_h, n_y):
    return {'W1': np.random.randn(n_h, n_x) * 0.01, 'b1': np.zeros((n_h, 1)),
            'W2': np.random.randn(n_y, n_h) * 0.01, 'b2': np.zeros((n_y, 1))}


def forward_propagation(X, parameters):
    Z1 = parameters['W1'] @ X + parameters['b1']
    A1 = np.tanh(Z1)
    Z2 = parameters['W2'] @ A1 + parameters['b2']
    A2 = sigmoid(Z2)
    return A2, {'Z1': Z1, 'A1': A1, 'Z2': Z2, 'A2': A2}


def compute_cost(A2, Y, parameters):
    # parameters not needed (no regularisation) but the notebook passes them
    return float(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1, A2 = cache['A1'], cache['A2']
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dZ1 = (parameters['W2'].T @ dZ2) * (1 - A1 ** 2)
    dW1 = dZ1 @ X.T / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m
    return {'dW1': dW1, 'db1': db1, 'dW2': dW2, 'db2': db2}


def update_parameters(parameters, grads, learning_rate=1.2):
    return {k: v - learning_rate * grads['d' + k] for k, v in parameters.items()}


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False):
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads)
        if print_cost and i % 1000 == 0:
            print(f'Cost after iteration {i}: {compute_cost(A2, Y, parameters)}')
    return parameters


def predict(parameters, X):
    A2, _ = forward_propagation(X, parameters)
    return (A2 > .5).astype(int)
