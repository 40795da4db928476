import numpy as np


def sigmoid(z):
    # stable: never exponentiates a positive number
    return np.exp(-np.logaddexp(0, -z))


def initialize_with_zeros(dim):
    return np.zeros([dim, 1]), 0.0


def propagate(w, b, X, Y):
    m = X.shape[-1]
    Z = w.T @ X + b
    A = sigmoid(Z)
    # cross-entropy written with z: log(sigma(z)) = -softplus(-z), log(1 - sigma(z)) = -softplus(z)
    J = np.mean(Y * np.logaddexp(0, -Z) + (1 - Y) * np.logaddexp(0, Z))
    dZ = A - Y
    grads = dict(dw=X @ dZ.T / m, db=dZ.mean())
    return grads, J.item()


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []
    for it in range(num_iterations):
        grads, J = propagate(w, b, X, Y)
        if it % 100 == 0:
            costs.append(J)
            if print_cost:
                print(f"iter {it:5d}  J = {J:.5f}")
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
    return dict(w=w, b=b), grads, costs


def predict(w, b, X):
    return (w.T @ X + b > 0).astype(int)  # sigma(z) > 0.5  <=>  z > 0


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, _, costs = optimize(w, b, X_train, Y_train, num_iterations=num_iterations,
                                learning_rate=learning_rate, print_cost=print_cost)
    w, b = params["w"], params["b"]
    return dict(costs=costs,
                Y_prediction_test=predict(w, b, X_test),
                Y_prediction_train=predict(w, b, X_train),
                w=w, b=b, learning_rate=learning_rate, num_iterations=num_iterations)
