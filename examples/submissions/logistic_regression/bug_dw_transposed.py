import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def initialize_with_zeros(dim):
    w = np.zeros((dim, 1))
    b = 0.
    return w, b


def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)      # (1, m)
    logA = np.log(np.maximum(A, 1e-12))
    log1mA = np.log(np.maximum(1 - A, 1e-12))
    cost = -np.sum(Y * logA + (1 - Y) * log1mA) / m
    dw = np.dot(A - Y, X.T) / m          # (1, m) x (m, n_x)
    db = np.sum(A - Y) / m
    return {"dw": dw, "db": db}, float(cost)


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"].T   # dw comes out as a row, so transpose it back
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    A = sigmoid(np.dot(w.T, X) + b)
    return (A > 0.5).astype(int)


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    return {"costs": costs,
            "Y_prediction_test": predict(params["w"], params["b"], X_test),
            "Y_prediction_train": predict(params["w"], params["b"], X_train),
            "w": params["w"], "b": params["b"],
            "learning_rate": learning_rate, "num_iterations": num_iterations}
