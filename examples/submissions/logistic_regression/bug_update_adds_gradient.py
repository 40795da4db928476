import numpy as np


def sigmoid(z):
    return 1. / (1. + np.exp(-z))


def initialize_with_zeros(dim):
    return np.zeros((dim, 1)), 0.


def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(w.T.dot(X) + b)
    z = w.T.dot(X) + b
    cost = np.sum(np.where(Y == 1, np.logaddexp(0, -z), np.logaddexp(0, z))) / m
    dw = X.dot((A - Y).T) / m
    db = (A - Y).mean()
    return {"dw": dw, "db": db}, cost


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        # move along the gradient
        w = w + learning_rate * grads["dw"]
        b = b + learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print("iteration", i, "cost", cost)
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    A = sigmoid(w.T.dot(X) + b)
    return np.where(A > 0.5, 1, 0)


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    w = params["w"]
    b = params["b"]
    return {"costs": costs, "Y_prediction_test": predict(w, b, X_test),
            "Y_prediction_train": predict(w, b, X_train), "w": w, "b": b,
            "learning_rate": learning_rate, "num_iterations": num_iterations}
