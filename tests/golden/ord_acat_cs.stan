// generated with brmspy
data {
  int<lower=1> N;  // total number of observations
  array[N] int Y;  // response variable
  int<lower=2> nthres;  // number of thresholds
  int<lower=1> K;  // number of population-level effects
  matrix[N, K] X;  // population-level design matrix
  int<lower=1> Kcs;  // number of category-specific effects
  matrix[N, Kcs] Xcs;  // category-specific design matrix
  real<lower=0> disc;  // fixed discrimination parameter
  // prior hyperparameters (values: make_standata() / prior_summary())
  vector[nthres] prior_Intercept_df;
  vector[nthres] prior_Intercept_loc;
  vector[nthres] prior_Intercept_scale;
  int prior_only;  // should the likelihood be ignored?
}
transformed data {
  int Kc = K - 1;
  matrix[N, Kc] Xc;  // centered version of X without an intercept
  vector[Kc] means_X;  // column means of X before centering
  matrix[N, nthres + 1] Yind = rep_matrix(0, N, nthres + 1);  // one-hot Y
  for (i in 2:K) {
    means_X[i - 1] = mean(X[, i]);
    Xc[, i - 1] = X[, i] - means_X[i - 1];
  }
  for (n in 1:N) Yind[n, Y[n]] = 1;
}
parameters {
  vector[Kc] b;  // regression coefficients
  vector[nthres] Intercept;  // temporary thresholds for centered predictors
  matrix[Kcs, nthres] bcs;  // category-specific effects
}
transformed parameters {
  real lprior = 0;  // prior contributions to the log posterior
  lprior += student_t_lpdf(Intercept | prior_Intercept_df, prior_Intercept_loc, prior_Intercept_scale);
}
model {
  // likelihood including constants
  if (!prior_only) {
    // initialize linear predictor term
    vector[N] mu = rep_vector(0.0, N);
    mu += Xc * b;
    // category-specific effects shift each threshold
    matrix[N, nthres] mucs = Xcs * bcs;
    {
      matrix[N, nthres] acat_x = disc * (rep_matrix(mu, nthres) - (rep_matrix(transpose(Intercept), N) - mucs));
      matrix[N, nthres + 1] acat_sum;
      vector[N] acat_max;
      vector[N] acat_total = rep_vector(0, N);
      acat_sum[, 1] = rep_vector(0, N);
      for (k in 1:nthres) {
        acat_sum[, k + 1] = acat_sum[, k] + acat_x[, k];
      }
      acat_max = acat_sum[, 1];
      for (k in 2:(nthres + 1)) {
        acat_max = fmax(acat_max, acat_sum[, k]);
      }
      for (k in 1:(nthres + 1)) {
        acat_total += exp(acat_sum[, k] - acat_max);
      }
      target += sum(Yind .* acat_sum) - sum(acat_max + log(acat_total));
    }
  }
  // priors including constants
  target += lprior;
}
generated quantities {
  // thresholds on the scale of the uncentered predictors
  vector[nthres] b_Intercept = Intercept + dot_product(means_X, b);
}
